// The conformance suite inside workerd: createApp over D1 (migrations applied by setup.ts), the
// memory pool and workerd's own fetch, against the fake upstream that the global setup runs on
// loopback. The Node run is test/conformance.test.ts.
import { env } from 'cloudflare:workers'
import { drizzle } from 'drizzle-orm/d1'
import { createApp } from '../../src/app'
import { createSqlCoordination } from '../../src/coord/sql'
import type { Deps } from '../../src/deps'
import { fromWebFetch } from '../../src/http/web-fetch'
import { createMemoryKeyPool } from '../../src/keys/pool-memory'
import * as schema from '../../src/store/schema.sqlite'
import { createSqlStore } from '../../src/store/sql'
import { testConformance } from '../conformance/suite'
import { testCoreConfig } from './core-config'
import { fakeUpstreamUrl } from './provided'

testConformance('workerd (D1, memory pool)', async () => {
  const db = drizzle(env.DB, { schema })
  const pending = new Set<Promise<unknown>>()
  const deps: Deps = {
    store: createSqlStore(db),
    pool: createMemoryKeyPool(),
    coord: createSqlCoordination(db),
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
})
