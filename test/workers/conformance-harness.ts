// The conformance harness inside workerd: createApp over D1 (migrations applied by setup.ts), the
// Workers adapter's shared state (openShared: Upstash when given, else a memory pool) and
// workerd's own fetch, against the fake upstream that the global setup runs on loopback.
import { env } from 'cloudflare:workers'
import { drizzle } from 'drizzle-orm/d1'
import type { WorkersEnv } from '../../adapters/workers/bindings'
import { openShared } from '../../adapters/workers/shared'
import { createApp } from '../../src/app'
import { createSqlCoordination } from '../../src/coord/sql'
import type { Deps } from '../../src/deps'
import { fromWebFetch } from '../../src/http/web-fetch'
import * as schema from '../../src/store/schema.sqlite'
import { createSqlStore } from '../../src/store/sql'
import type { Harness } from '../conformance/harness'
import { testCoreConfig } from './core-config'
import { fakeUpstreamUrl, upstashTestEnv } from './provided'

export const workerdHarness = async (withUpstash: boolean): Promise<Harness> => {
  const db = drizzle(env.DB, { schema })
  const upstash = withUpstash ? upstashTestEnv() : null
  const bindings: WorkersEnv = upstash
    ? { UPSTASH_REDIS_REST_URL: upstash.url, UPSTASH_REDIS_REST_TOKEN: upstash.token }
    : {}
  const shared = openShared(bindings, createSqlCoordination(db), upstash?.prefix ?? 'edgeload:')
  const pending = new Set<Promise<unknown>>()
  const deps: Deps = {
    store: createSqlStore(db),
    pool: shared.pool,
    coord: shared.coord,
    fetch: fromWebFetch(fetch),
    waitUntil: (p) => {
      const tracked = p.catch(() => {}).finally(() => pending.delete(tracked))
      pending.add(tracked)
    },
    now: Date.now,
    log: () => {},
    config: testCoreConfig(env.AUTH_KEY),
  }
  const edgeload = createApp(deps)
  await edgeload.init({ seedSettings: { proxy_keys: env.AUTH_KEY } })
  const settle = async () => {
    while (pending.size > 0) await Promise.all([...pending])
  }
  return {
    request: async (path, init) => edgeload.app.request(path, init),
    adminKey: env.AUTH_KEY,
    upstreamUrl: fakeUpstreamUrl(),
    async flush() {
      await settle()
      await edgeload.core.logs.flush()
      await edgeload.core.keys.flush()
    },
    async close() {
      await edgeload.close()
      await settle()
    },
  }
}
