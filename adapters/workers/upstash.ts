// Upstash Redis (REST over fetch) behind the core's one-method RedisEval: on Workers the key pool,
// the leases and the config version run the same Lua scripts as on Node (src/*/lua). Scripts run
// by EVALSHA; an Upstash database that does not know one yet gets it once by EVAL.
import { Redis } from '@upstash/redis/cloudflare'
import type { RedisEval } from '../../src/coord/redis'

export interface UpstashConfig {
  url: string
  token: string
}

const hex = (buf: ArrayBuffer) =>
  Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('')

export const openUpstash = (cfg: UpstashConfig): RedisEval => {
  const redis = new Redis({
    url: cfg.url,
    token: cfg.token,
    // Script results are returned as Redis gave them; JSON-parsing strings would turn "1" into 1.
    automaticDeserialization: false,
    // A proxied request waits on this: fail fast (the pool answers 503) rather than back off 5×.
    retry: { retries: 1, backoff: () => 50 },
    // No SDK, platform and runtime headers on every command: less to send, nothing told about us.
    enableTelemetry: false,
  })
  const shas = new Map<string, Promise<string>>()
  const shaOf = (script: string) => {
    let sha = shas.get(script)
    if (!sha) {
      sha = crypto.subtle.digest('SHA-1', new TextEncoder().encode(script)).then(hex)
      shas.set(script, sha)
    }
    return sha
  }
  return {
    async eval(script, keys, args) {
      try {
        return await redis.evalsha(await shaOf(script), keys, args)
      } catch (err) {
        if (!String((err as Error)?.message).includes('NOSCRIPT')) throw err
        return redis.eval(script, keys, args)
      }
    },
  }
}
