// Two isolates on one D1 and one Upstash (openShared, as the Workers entry builds them): an admin
// change made through one applies on the other at its next per-request duties (runNodeJobs, as
// the entry runs them after each response), and a key blacklisted through one is never picked
// by the other.
import { env } from 'cloudflare:workers'
import { drizzle } from 'drizzle-orm/d1'
import { describe, expect, it } from 'vitest'
import { openShared } from '../../adapters/workers/shared'
import { createApp } from '../../src/app'
import { createSqlCoordination } from '../../src/coord/sql'
import { fromWebFetch } from '../../src/http/web-fetch'
import { runNodeJobs } from '../../src/jobs/run-due'
import * as schema from '../../src/store/schema.sqlite'
import { createSqlStore } from '../../src/store/sql'
import { api, chat, createGroup, resetUpstream, upstreamRequests } from '../conformance/harness'
import type { Harness } from '../conformance/harness'
import { testCoreConfig } from './core-config'
import { fakeUpstreamUrl, upstashTestEnv } from './provided'

const upstash = upstashTestEnv()

const isolate = async () => {
  const db = drizzle(env.DB, { schema })
  const shared = openShared(
    { UPSTASH_REDIS_REST_URL: upstash.url, UPSTASH_REDIS_REST_TOKEN: upstash.token },
    createSqlCoordination(db),
    upstash.prefix,
  )
  const pending: Promise<unknown>[] = []
  const edgeload = createApp({
    store: createSqlStore(db),
    pool: shared.pool,
    coord: shared.coord,
    fetch: fromWebFetch(fetch),
    waitUntil: (p) => void pending.push(p.catch(() => {})),
    now: Date.now,
    log: () => {},
    config: testCoreConfig(env.AUTH_KEY),
  })
  await edgeload.init({ seedSettings: { proxy_keys: env.AUTH_KEY } })
  const h: Harness = {
    // A request, then the duties the entry runs after each response.
    request: async (path, init) => {
      const res = await edgeload.app.request(path, init)
      await runNodeJobs(edgeload.core, Date.now())
      return res
    },
    adminKey: env.AUTH_KEY,
    upstreamUrl: fakeUpstreamUrl(),
    flush: async () => {
      await Promise.all(pending)
      await edgeload.core.keys.flush()
    },
    close: () => edgeload.close(),
  }
  return h
}

describe('two isolates sharing Upstash', () => {
  it('share admin changes within seconds and one blacklist', async () => {
    const [a, b] = [await isolate(), await isolate()]
    await resetUpstream(a)
    await createGroup(a, 'iso', ['sk-cf-bad', 'sk-cf-iso-1', 'sk-cf-iso-2'], {
      blacklist_threshold: 1,
      max_retries: 2,
    })
    // B learns of the group from the version the change bumped.
    const t0 = Date.now()
    for (;;) {
      if ((await chat(b, 'iso')).status === 200) break
      expect(Date.now() - t0).toBeLessThan(3000)
      await new Promise((r) => setTimeout(r, 100))
    }
    for (let i = 0; i < 6; i++) expect((await chat(i % 2 ? a : b, 'iso')).status).toBe(200)
    const bad = (await upstreamRequests(a)).filter((r) => r.credential === 'sk-cf-bad')
    expect(bad).toHaveLength(1)
    // A setting changed on A applies on B.
    const put = await api(a, 'PUT', '/api/settings', {
      proxy_keys: `${env.AUTH_KEY},pk-iso-0123456789`,
    })
    expect(put.status).toBe(200)
    const t1 = Date.now()
    const withNewKey = () =>
      b.request('/proxy/iso/v1/chat/completions', {
        method: 'POST',
        headers: { authorization: 'Bearer pk-iso-0123456789', 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [] }),
      })
    while ((await withNewKey()).status !== 200) {
      expect(Date.now() - t1).toBeLessThan(3000)
      await new Promise((r) => setTimeout(r, 100))
    }
    console.log(`Upstash: a setting changed on isolate A applied on B in ${Date.now() - t1} ms`)
    await Promise.all([a.close(), b.close()])
  })
})
