// Retries are bounded (issue 9, item 2), through the real gateway and a fake upstream: by
// max_retries, whose range the API enforces and a stored value cannot escape, and by
// request_timeout in total, streams included until their response starts.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream'
import { ADMIN_KEY, startTestGateway, type TestGateway } from './helpers/gateway'
import { eventually } from './helpers/wait'

let up: FakeUpstream
let t: TestGateway
let n = 0

const group = async (keys: string[], config: Record<string, unknown> = {}) => {
  const name = `b${++n}`
  const id = await t.createGroup({ name, upstreams: [{ url: up.url, weight: 1 }], config }, keys)
  return { name, id }
}

/** A chat completion the test gives up on after `limitMs`, so old code cannot hang the run. */
const chat = async (name: string, limitMs: number, stream = false) => {
  const started = Date.now()
  const res = await fetch(`${t.url}/proxy/${name}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'gpt-4o-mini',
      stream,
      messages: [{ role: 'user', content: 'hi' }],
    }),
    signal: AbortSignal.timeout(limitMs),
  }).catch((err: Error) => ({ status: `client gave up: ${err.name}` }) as const)
  if ('text' in res) await res.text()
  return { status: res.status, ms: Date.now() - started }
}

interface LogRow {
  request_type: string
  status_code: number
}
const logsOf = async (name: string) =>
  (
    await t.admin<{ data: { items: LogRow[] } }>(
      'GET',
      `/api/logs?group_name=${name}&page_size=100`,
    )
  ).body.data.items

beforeAll(async () => {
  up = await startFakeUpstream({
    behaviours: {
      'sk-503-a': { status: 503 },
      'sk-503-b': { status: 503 },
      'sk-slow503-a': { status: 503, delayMs: 1500 },
      'sk-slow503-b': { status: 503, delayMs: 1500 },
    },
  })
  t = await startTestGateway()
  await t.admin('PUT', '/api/settings', { request_log_write_interval_minutes: 0 })
})

afterAll(async () => {
  await t?.stop()
  await up?.close()
})

beforeEach(() => {
  up.requests.length = 0
})

describe('max_retries', () => {
  it('is refused past its bound by the settings API and group config, writing nothing', async () => {
    const put = await t.admin<{ message: string }>('PUT', '/api/settings', { max_retries: 1e12 })
    expect(put.status).toBe(400)
    expect(put.body.message).toBe('max_retries: must be between 0 and 10')
    const { id } = await group(['sk-503-a'])
    const cfg = await t.admin<{ message: string }>('PUT', `/api/groups/${id}`, {
      config: { max_retries: 11 },
    })
    expect(cfg.status).toBe(400)
    expect(cfg.body.message).toContain('config.max_retries: must be between 0 and 10')
    const store = t.gw.edgeload.core.deps.store
    expect((await store.getSettings()).max_retries).toBeUndefined()
    expect((await store.getGroup(id))?.config).toEqual({})
  })

  it('bounds the upstream calls of one request even when a stored value is 10^12', async () => {
    // A database from an older version, which accepted any max_retries.
    const { store } = t.gw.edgeload.core.deps
    await store.putSettings({ max_retries: '1000000000000' })
    await t.gw.edgeload.core.cache.reload()
    try {
      const g = await group(['sk-503-a', 'sk-503-b'])
      const r = await chat(g.name, 5000)
      // The upstream's own 503 comes back after max_retries + 1 calls: 11, not thousands.
      expect(up.requests.length).toBe(11)
      expect(r.status).toBe(503)
      // Both keys served (retries reuse keys once each has been tried), one row per call.
      expect(new Set(up.requests.map((q) => q.credential))).toEqual(
        new Set(['sk-503-a', 'sk-503-b']),
      )
      const rows = await eventually(async () => {
        const rows = await logsOf(g.name)
        expect(rows.length).toBe(11)
        return rows
      })
      expect(rows.filter((row) => row.request_type === 'final').length).toBe(1)
    } finally {
      await store.putSettings({ max_retries: '3' })
      await t.gw.edgeload.core.cache.reload()
    }
  })
})

describe('request_timeout bounds all attempts together', () => {
  // Each call answers 503 after 1.5 s. With request_timeout 2 the first attempt fails at 1.5 s,
  // the second gets only the 0.5 s left and is cut at 2 s: not 11 × 1.5 s, and not 3 s either.
  it.each([
    ['a plain request', false],
    ['a stream, before its response starts', true],
  ])('%s ends near request_timeout, whatever is left of max_retries', async (_label, stream) => {
    const g = await group(['sk-slow503-a', 'sk-slow503-b'], {
      request_timeout: 2,
      max_retries: 10,
    })
    const r = await chat(g.name, 6000, stream)
    expect(r.status).toBe(504)
    // Margins for a loaded 2-core machine; the old loop took 16.5 s here.
    expect(r.ms).toBeGreaterThanOrEqual(1900)
    expect(r.ms).toBeLessThan(3000)
    expect(up.requests.length).toBe(2)
    // The cut attempt is the request's final row, so the request is counted once in stats.
    const rows = await eventually(async () => {
      const rows = await logsOf(g.name)
      expect(rows.length).toBe(2)
      return rows
    })
    expect(rows.map((row) => [row.request_type, row.status_code]).sort()).toEqual([
      ['final', 504],
      ['retry', 503],
    ])
  })

  it("an aggregate's request_timeout bounds its members' attempts together", async () => {
    // Each member alone would allow 10 retries of 1.5 s within its own default timeout.
    const a = await group(['sk-slow503-a'], { max_retries: 10 })
    const b = await group(['sk-slow503-b'], { max_retries: 10 })
    const name = `agg${++n}`
    const id = await t.createGroup({
      name,
      group_type: 'aggregate',
      config: { request_timeout: 2, max_retries: 10 },
    })
    const sub_groups = [a.id, b.id].map((group_id) => ({ group_id, weight: 1 }))
    expect((await t.admin('POST', `/api/groups/${id}/sub-groups`, { sub_groups })).status).toBe(200)
    const r = await chat(name, 6000)
    expect(r.status).toBe(504)
    expect(r.ms).toBeGreaterThanOrEqual(1900)
    expect(r.ms).toBeLessThan(3000)
    expect(up.requests.length).toBe(2)
  })
})
