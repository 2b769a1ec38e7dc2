// max_wait_for_key_ms: with every key cooling, a request waits for the first key back when that
// is within the bound, and answers 429 at once when it is not. Real clock, short resets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, TEST_AUTH_KEY, type TestApp } from './helpers/app'
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream'

let up: FakeUpstream
let t: TestApp

beforeAll(async () => {
  up = await startFakeUpstream()
  t = await createTestApp()
})
afterAll(async () => {
  await t.close()
  await up.close()
})

const group = (name: string, key: string, maxWait: number) =>
  t.createGroup(
    {
      name,
      channel_type: 'openai',
      upstreams: [{ url: up.url, weight: 1 }],
      config: { max_retries: 0, max_wait_for_key_ms: maxWait },
    },
    [key],
  )

const chat = (name: string, signal?: AbortSignal) =>
  t.app.request(`/proxy/${name}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_AUTH_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [] }),
    signal,
  })

/** Cools the group's only key for `ms` through an upstream 429 that says so. */
const cool = async (name: string, key: string, ms: number) => {
  up.setBehaviour({ [key]: { status: 429, headers: { 'retry-after-ms': String(ms) } } })
  expect((await chat(name)).status).toBe(429)
  up.setBehaviour({ [key]: null })
}

describe('max_wait_for_key_ms', () => {
  it('waits for a key that is back within the bound, then serves', async () => {
    const KEY = 'sk-wait-0123456789'
    await group('wait', KEY, 2000)
    await cool('wait', KEY, 400)
    const before = up.requests.length
    const t0 = Date.now()
    const r = await chat('wait')
    const took = Date.now() - t0
    expect(r.status).toBe(200)
    expect(took).toBeGreaterThanOrEqual(300)
    expect(took).toBeLessThan(1500)
    expect(up.requests.length).toBe(before + 1) // one upstream call, after the wait
  })

  it('answers 429 at once when the first key is back later than the bound', async () => {
    const KEY = 'sk-nowait-0123456789'
    await group('nowait', KEY, 100)
    await cool('nowait', KEY, 3000)
    const t0 = Date.now()
    const r = await chat('nowait')
    expect(r.status).toBe(429)
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('KEYS_COOLING')
    expect(Date.now() - t0).toBeLessThan(100)
  })

  it('stops waiting when the client goes away', async () => {
    const KEY = 'sk-gone-0123456789'
    await group('gone', KEY, 10_000)
    await cool('gone', KEY, 5000)
    const ac = new AbortController()
    const before = up.requests.length
    const t0 = Date.now()
    setTimeout(() => ac.abort(), 150)
    const r = await Promise.resolve(chat('gone', ac.signal)).catch((e: unknown) => e)
    expect(Date.now() - t0).toBeLessThan(1500)
    // However the abort surfaces, the wait ended and no key was sent upstream.
    if (r instanceof Response) expect(r.status).not.toBe(200)
    await new Promise((ok) => setTimeout(ok, 100))
    expect(up.requests.length).toBe(before)
  })

  it('waits in an aggregate whose members are all cooling', async () => {
    const [A, B] = ['sk-agg-wait-a-0123456789', 'sk-agg-wait-b-0123456789']
    const members = [await group('agg-wait-a', A, 0), await group('agg-wait-b', B, 0)]
    const id = await t.createGroup({
      name: 'agg-wait',
      group_type: 'aggregate',
      channel_type: 'openai',
      config: { max_retries: 0, max_wait_for_key_ms: 2000 },
    })
    const sub_groups = members.map((group_id) => ({ group_id, weight: 1 }))
    expect((await t.api('POST', `/api/groups/${id}/sub-groups`, { sub_groups })).status).toBe(200)
    await cool('agg-wait-a', A, 500)
    await cool('agg-wait-b', B, 300)
    const before = up.requests.length
    const t0 = Date.now()
    const r = await chat('agg-wait')
    const took = Date.now() - t0
    expect(r.status).toBe(200)
    expect(took).toBeGreaterThanOrEqual(150)
    expect(took).toBeLessThan(1500)
    expect(up.requests.slice(before).map((q) => q.credential)).toEqual([B])
  })
})
