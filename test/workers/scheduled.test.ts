// The Workers entry's Cron Trigger: scheduled() runs the due jobs in workerd. Re-validation
// restores a key that the upstream accepts again, buffered request logs reach D1, and retention
// deletes logs past their days. The upstream is the fake that the global setup runs on loopback.
import {
  createExecutionContext,
  createScheduledController,
  waitOnExecutionContext,
} from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { drizzle } from 'drizzle-orm/d1'
import { describe, expect, it } from 'vitest'
import worker, { type WorkersEnv } from '../../adapters/workers/index'
import * as schema from '../../src/store/schema.sqlite'
import { createSqlStore } from '../../src/store/sql'
import { logRow } from '../store.fixtures'
import { fakeUpstreamUrl } from './provided'

const FAKE = fakeUpstreamUrl()
// The test bindings are the Worker's own plus test-only ones.
const bindings = env as unknown as WorkersEnv
const KEY = 'sk-cf-sched-1'

const call = async (path: string, init: RequestInit = {}) => {
  const ctx = createExecutionContext()
  const res = await worker.fetch(
    new Request(`https://edgeload.test${path}`, {
      ...init,
      headers: { authorization: `Bearer ${env.AUTH_KEY}`, 'content-type': 'application/json' },
    }) as Request<unknown, IncomingRequestCfProperties>,
    bindings,
    ctx,
  )
  const body = await res.text()
  await waitOnExecutionContext(ctx)
  return { status: res.status, json: () => JSON.parse(body) }
}

const behave = (patch: Record<string, unknown>) =>
  fetch(`${FAKE}/__fake/behaviour`, { method: 'POST', body: JSON.stringify(patch) }).then((r) =>
    r.arrayBuffer(),
  )

const runCron = async () => {
  const ctx = createExecutionContext()
  await worker.scheduled(createScheduledController({ cron: '* * * * *' }), bindings, ctx)
  await waitOnExecutionContext(ctx)
}

describe('scheduled()', () => {
  it('restores a key that validates again, writes logs to D1 and deletes expired logs', async () => {
    const store = createSqlStore(drizzle(env.DB, { schema }))
    const group = await call('/api/groups', {
      method: 'POST',
      body: JSON.stringify({
        name: 'cron',
        channel_type: 'openai',
        test_model: 'gpt-4o-mini',
        upstreams: [{ url: FAKE, weight: 1 }],
        config: { blacklist_threshold: 1, max_retries: 0 },
      }),
    })
    expect(group.status).toBe(200)
    const gid = group.json().data.id as number
    await call('/api/keys/add-multiple', {
      method: 'POST',
      body: JSON.stringify({ group_id: gid, keys_text: KEY }),
    })
    // The upstream refuses the key once: blacklisted at the threshold of 1.
    await behave({ [KEY]: { status: 401 } })
    const refused = await call('/proxy/cron/v1/chat/completions', {
      method: 'POST',
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    })
    expect(refused.status).toBe(401)
    await behave({ [KEY]: null })
    // A log 40 days old, past the default retention of 7 days.
    const old = new Date(Date.now() - 40 * 86_400_000)
    await store.insertLogs([logRow({ group_id: gid, group_name: 'cron', timestamp: old })])

    await runCron()

    const keys = await call(`/api/keys?group_id=${gid}`)
    expect(keys.json().data.items.map((k: { status: string }) => k.status)).toEqual(['active'])
    const { items } = await store.queryLogs({ page: 1, page_size: 50, group_name: 'cron' })
    expect(items.map((r) => r.status_code)).toEqual([401])
    expect(items[0]!.timestamp.getTime()).toBeGreaterThan(old.getTime())
  })
})
