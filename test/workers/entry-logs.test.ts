// The Workers entry writes request logs per isolate in batches, never one D1 write per request:
// 20 proxied requests in a row reach D1 as one insert, within LOG_FLUSH_MS of the responses,
// with no cron and no later request to push them. D1 is counted statement by statement.
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { drizzle } from 'drizzle-orm/d1'
import { expect, it } from 'vitest'
import worker, { type WorkersEnv } from '../../adapters/workers/index'
import { LOG_FLUSH_MS } from '../../src/logs/writer'
import * as schema from '../../src/store/schema.sqlite'
import { createSqlStore } from '../../src/store/sql'
import { countingDb } from './counting-db'
import { fakeUpstreamUrl } from './provided'

const statements: string[] = []
const bindings = { ...env, DB: countingDb(env.DB, statements) } as unknown as WorkersEnv

const call = async (path: string, body: unknown) => {
  const ctx = createExecutionContext()
  const res = await worker.fetch(
    new Request(`https://edgeload.test${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${env.AUTH_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }) as Request<unknown, IncomingRequestCfProperties>,
    bindings,
    ctx,
  )
  await res.text()
  await waitOnExecutionContext(ctx)
  return res.status
}

it('writes 20 requests as one batch within LOG_FLUSH_MS of the responses', async () => {
  const g = await call('/api/groups', {
    name: 'batched',
    channel_type: 'openai',
    test_model: 'gpt-4o-mini',
    upstreams: [{ url: fakeUpstreamUrl(), weight: 1 }],
  })
  expect(g).toBe(200)
  const store = createSqlStore(drizzle(env.DB, { schema }))
  const gid = (await store.getGroupByName('batched'))!.id
  await call('/api/keys/add-multiple', { group_id: gid, keys_text: 'sk-cf-batch-1' })
  const inserts = () => statements.filter((q) => /insert into "request_logs"/i.test(q)).length
  const before = inserts()
  for (let i = 0; i < 20; i++) {
    expect(
      await call('/proxy/batched/v1/chat/completions', { model: 'gpt-4o-mini', messages: [] }),
    ).toBe(200)
  }
  expect(inserts()).toBe(before)
  await new Promise((r) => setTimeout(r, LOG_FLUSH_MS + 500))
  expect(inserts() - before).toBe(1)
  const { total } = await store.queryLogs({ page: 1, page_size: 1, group_name: 'batched' })
  expect(total).toBe(20)
})
