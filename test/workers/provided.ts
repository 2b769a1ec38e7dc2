// What the workers project's global setup (test/helpers/workers-global-setup.ts) starts in Node
// and hands over by provide/inject, since workerd cannot run it: the Upstash-REST test server
// (keys go under `prefix`, which the global teardown removes), the conformance fake upstream and
// a remote libSQL server.
import { inject } from 'vitest'
import type { UpstashConfig } from '../../adapters/workers/upstash'

declare module 'vitest' {
  export interface ProvidedContext {
    upstash: UpstashConfig & { prefix: string }
    /** The fake upstream's base URL; its recordings are read over HTTP (`/__fake/*`). */
    fakeUpstreamUrl: string
    /** A remote libSQL server (Hrana over HTTP) whose database is migrated. */
    libsql: { url: string; token: string }
  }
}

/** The server's URL and token, and a fresh key prefix under the run's. */
export const upstashTestEnv = () => {
  const { url, token, prefix } = inject('upstash')
  return { url, token, prefix: `${prefix}${crypto.randomUUID()}:` }
}

/** The conformance fake upstream's URL. */
export const fakeUpstreamUrl = () => inject('fakeUpstreamUrl')
