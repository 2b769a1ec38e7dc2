// The Node adapter's Redis: ioredis (reconnects, pipelining, Sentinel and Cluster, and it speaks
// RESP itself), behind the core's one-method RedisEval. Scripts run by EVALSHA; a Redis that
// lost its script cache (a restart) gets the script once by EVAL.
import { createHash } from 'node:crypto'
import type { Redis } from 'ioredis'
import type { RedisEval } from '../../src/coord/redis'

export const createRedisEval = (client: Redis): RedisEval => {
  const shas = new Map<string, string>()
  const shaOf = (script: string) => {
    let sha = shas.get(script)
    if (sha === undefined) shas.set(script, (sha = createHash('sha1').update(script).digest('hex')))
    return sha
  }
  return {
    async eval(script, keys, args) {
      try {
        return await client.evalsha(shaOf(script), keys.length, ...keys, ...args)
      } catch (err) {
        const message = String((err as Error)?.message)
        // ioredis's words for "not connected" name its options, which tell an operator nothing.
        if (message.includes("isn't writeable"))
          throw new Error('Redis not connected (reconnecting)')
        if (!message.startsWith('NOSCRIPT')) throw err
        return client.eval(script, keys.length, ...keys, ...args)
      }
    },
  }
}

/**
 * A client for REDIS_DSN (redis:// or rediss://, optional user:pass and /db). While Redis is away
 * a call fails at once (disconnected) or within COMMAND_TIMEOUT_MS (not answering) instead of
 * queueing, so the proxy answers 503 and nothing piles up; ioredis keeps reconnecting meanwhile.
 */
export const openRedis = async (dsn: string): Promise<Redis> => {
  // Loaded on first use: a gateway without REDIS_DSN never pays for it at start-up.
  const { Redis } = await import('ioredis')
  return new Redis(dsn, {
    // Not connected: fail at once rather than queue (the start waits for `ready` itself).
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: COMMAND_TIMEOUT_MS,
    commandTimeout: COMMAND_TIMEOUT_MS,
    enableAutoPipelining: true,
  })
}

/** The longest one Redis call may take: a script over thousands of keys takes milliseconds. */
export const COMMAND_TIMEOUT_MS = 1_500
