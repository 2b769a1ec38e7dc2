// The Upstash-REST test server as workerd tests reach it: started in Node by the workers
// project's global setup (test/helpers/upstash-global-setup.ts) and handed over by provide/inject,
// since workerd cannot run it. Keys go under `prefix`, which the global teardown removes.
import { inject } from 'vitest'
import type { UpstashConfig } from '../../adapters/workers/upstash'

declare module 'vitest' {
  export interface ProvidedContext {
    upstash: UpstashConfig & { prefix: string }
  }
}

/** The server's URL and token, and a fresh key prefix under the run's. */
export const upstashTestEnv = () => {
  const { url, token, prefix } = inject('upstash')
  return { url, token, prefix: `${prefix}${crypto.randomUUID()}:` }
}
