// Aggregate member priorities through the real gateway (issue 11 §6): the highest priority with
// usable keys serves; a failure retries within that priority (the same member too, on a key it
// has not tried) up to `member_max_attempts`, honouring a short Retry-After; then the next one.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream'
import { startTestGateway, type TestGateway } from './helpers/gateway'
import { eventually } from './helpers/wait'

let up: FakeUpstream
let t: TestGateway
let n = 0

const member = async (keys: string[]) => {
  const name = `pm${++n}`
  const id = await t.createGroup({ name, upstreams: [{ url: up.url, weight: 1 }] }, keys)
  return { name, id }
}

/** An aggregate with members as [group id, weight, priority]. */
const aggregate = async (
  members: Array<[number, number, number]>,
  spec: Record<string, unknown> = {},
) => {
  const name = `pagg${++n}`
  const id = await t.createGroup({ name, group_type: 'aggregate', ...spec })
  const sub_groups = members.map(([group_id, weight, priority]) => ({ group_id, weight, priority }))
  const r = await t.admin('POST', `/api/groups/${id}/sub-groups`, { sub_groups })
  expect(r.status).toBe(200)
  return { name, id }
}

const creds = () => up.requests.map((r) => r.credential)

const timed = async (group: string) => {
  const start = Date.now()
  const res = await t.chat(group)
  return { res, ms: Date.now() - start }
}

beforeAll(async () => {
  const e500 = { status: 500 }
  up = await startFakeUpstream({
    behaviours: {
      'sk-r-a1': e500,
      'sk-r-a2': e500,
      'sk-r-b1': e500,
      'sk-b-1': e500,
      'sk-b-2': e500,
      'sk-b-3': e500,
      'sk-ra-short': { status: 503, headers: { 'retry-after': '1' } },
      'sk-ra-long': { status: 503, headers: { 'retry-after': '30' } },
      'sk-ra-late': { status: 503, headers: { 'retry-after': '3' } },
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

describe('aggregate priorities', () => {
  it('a priority-1 member serves while it has keys, whatever the weights', async () => {
    const high = await member(['sk-p1-ok'])
    const low = await member(['sk-p0-ok'])
    const agg = await aggregate([
      [high.id, 1, 1],
      [low.id, 1000, 0],
    ])
    for (let i = 0; i < 5; i++) expect((await t.chat(agg.name)).status).toBe(200)
    expect(creds()).toEqual(Array(5).fill('sk-p1-ok'))
  })

  it('retries within priority 1, the same member on another key too, before priority 0', async () => {
    const a = await member(['sk-r-a1', 'sk-r-a2'])
    const b = await member(['sk-r-b1'])
    const low = await member(['sk-r-low'])
    const agg = await aggregate([
      [a.id, 1000, 1],
      [b.id, 1, 1],
      [low.id, 1000, 0],
    ])
    expect((await t.chat(agg.name)).status).toBe(200)
    const seen = creds()
    // A, then B (not yet tried), then A again on its other key; B has no other key: priority 0.
    expect(seen).toHaveLength(4)
    expect(seen[1]).toBe('sk-r-b1')
    expect([seen[0], seen[2]].sort()).toEqual(['sk-r-a1', 'sk-r-a2'])
    expect(seen[3]).toBe('sk-r-low')
  })

  it('priority 0 serves when priority 1 has no usable key or spent its budget', async () => {
    const empty = await member([])
    const low = await member(['sk-e-low'])
    const agg = await aggregate([
      [empty.id, 1, 1],
      [low.id, 1, 0],
    ])
    expect((await t.chat(agg.name)).status).toBe(200)
    expect(creds()).toEqual(['sk-e-low'])

    up.requests.length = 0
    const busy = await member(['sk-b-1', 'sk-b-2', 'sk-b-3'])
    const low2 = await member(['sk-b-low'])
    const budget = await aggregate(
      [
        [busy.id, 1, 1],
        [low2.id, 1, 0],
      ],
      { config: { member_max_attempts: 2, max_retries: 5 } },
    )
    expect((await t.chat(budget.name)).status).toBe(200)
    const seen = creds()
    // Two attempts on the priority-1 member (two different keys), then priority 0.
    expect(seen).toHaveLength(3)
    expect(new Set(seen.slice(0, 2)).size).toBe(2)
    expect(seen.slice(0, 2).every((c) => c?.startsWith('sk-b-'))).toBe(true)
    expect(seen[2]).toBe('sk-b-low')
  })

  it('max_retries still bounds the attempts over all priorities', async () => {
    const a = await member(['sk-b-1', 'sk-b-2'])
    const low = await member(['sk-m-low'])
    const agg = await aggregate(
      [
        [a.id, 1, 1],
        [low.id, 1, 0],
      ],
      { config: { max_retries: 1 } },
    )
    const res = await t.chat(agg.name)
    expect(res.status).toBe(500)
    expect(creds()).toHaveLength(2)
    expect(creds()).not.toContain('sk-m-low')
  })

  it('logs the last attempt as final when the members are spent before max_retries', async () => {
    const a = await member(['sk-b-1', 'sk-b-2', 'sk-b-3'])
    const agg = await aggregate([[a.id, 1, 0]], { config: { max_retries: 5 } })
    const res = await t.chat(agg.name)
    expect(res.status).toBe(500)
    // member_max_attempts (2 by default) ends the request before max_retries does.
    expect(creds()).toHaveLength(2)
    type Log = { request_type: string; status_code: number; timestamp: string }
    const rows = await eventually(async () => {
      const r = await t.admin<{ data: { items: Log[] } }>(
        'GET',
        `/api/logs?parent_group_name=${agg.name}`,
      )
      expect(r.body.data.items).toHaveLength(2)
      return r.body.data.items
    })
    // Both attempts can fall in one millisecond, so time orders them only loosely.
    const kinds = rows.map((l) => [l.request_type, l.status_code])
    expect(kinds).toContainEqual(['retry', 500])
    expect(kinds).toContainEqual(['final', 500])
    const at = (type: string) => Date.parse(rows.find((l) => l.request_type === type)!.timestamp)
    expect(at('final')).toBeGreaterThanOrEqual(at('retry'))
  })

  it('waits out a short Retry-After, then retries the same member', async () => {
    const a = await member(['sk-ra-short', 'sk-ra-ok'])
    const low = await member(['sk-ra-low'])
    const agg = await aggregate([
      [a.id, 1, 1],
      [low.id, 1, 0],
    ])
    // The pool's rotation decides which key comes first; the 503 one must be met once.
    let waited = false
    for (let i = 0; i < 2 && !waited; i++) {
      up.requests.length = 0
      const { res, ms } = await timed(agg.name)
      expect(res.status).toBe(200)
      if (creds()[0] !== 'sk-ra-short') continue
      waited = true
      expect(creds()).toEqual(['sk-ra-short', 'sk-ra-ok'])
      expect(ms).toBeGreaterThanOrEqual(950)
    }
    expect(waited).toBe(true)
  })

  it('does not wait for a Retry-After past its bound or past request_timeout', async () => {
    const long = await member(['sk-ra-long'])
    const low = await member(['sk-ra-low2'])
    const agg = await aggregate([
      [long.id, 1, 1],
      [low.id, 1, 0],
    ])
    const r1 = await timed(agg.name)
    expect(r1.res.status).toBe(200)
    expect(creds()).toEqual(['sk-ra-long', 'sk-ra-low2'])
    expect(r1.ms).toBeLessThan(900)

    up.requests.length = 0
    const late = await member(['sk-ra-late'])
    const low3 = await member(['sk-ra-low3'])
    // 3 s is within the gateway's bound, but not within this request_timeout of 2 s.
    const agg2 = await aggregate(
      [
        [late.id, 1, 1],
        [low3.id, 1, 0],
      ],
      { config: { request_timeout: 2 } },
    )
    const r2 = await timed(agg2.name)
    expect(r2.res.status).toBe(200)
    expect(creds()).toEqual(['sk-ra-late', 'sk-ra-low3'])
    expect(r2.ms).toBeLessThan(900)
  })
})

describe('aggregate priorities: admin', () => {
  it('adds, lists and changes priorities; 0 when not given', async () => {
    const a = await member(['sk-adm-a'])
    const b = await member(['sk-adm-b'])
    const agg = await aggregate([[a.id, 2, 3]])
    const add = { sub_groups: [{ group_id: b.id, weight: 1 }] }
    expect((await t.admin('POST', `/api/groups/${agg.id}/sub-groups`, add)).status).toBe(200)
    type Row = { group: { id: number }; weight: number; priority: number }
    const list = async () =>
      (await t.admin<{ data: Row[] }>('GET', `/api/groups/${agg.id}/sub-groups`)).body.data.map(
        (r) => [r.group.id, r.weight, r.priority],
      )
    expect(await list()).toEqual([
      [a.id, 2, 3],
      [b.id, 1, 0],
    ])
    const put = (id: number, body: unknown) =>
      t.admin('PUT', `/api/groups/${agg.id}/sub-groups/${id}`, body)
    expect((await put(b.id, { priority: 5 })).status).toBe(200)
    expect((await put(a.id, { weight: 9, priority: -1 })).status).toBe(200)
    // The v1 weight route keeps the priority.
    const w = await t.admin('PUT', `/api/groups/${agg.id}/sub-groups/${b.id}/weight`, {
      weight: 4,
    })
    expect(w.status).toBe(200)
    expect(await list()).toEqual([
      [a.id, 9, -1],
      [b.id, 4, 5],
    ])
    const parents = await t.admin('GET', `/api/groups/${b.id}/parent-aggregate-groups`)
    expect(parents.body).toMatchObject({ data: [{ group_id: agg.id, weight: 4, priority: 5 }] })
    // The new priority routes at once: b (5) is above a (-1).
    up.requests.length = 0
    expect((await t.chat(agg.name)).status).toBe(200)
    expect(creds()).toEqual(['sk-adm-b'])
  })

  it('refuses a bad priority with a 400 naming it, and changes nothing', async () => {
    const a = await member(['sk-bad-a'])
    const b = await member(['sk-bad-b'])
    const agg = await aggregate([[a.id, 1, 2]])
    const add = (priority: unknown) =>
      t.admin<{ message: string }>('POST', `/api/groups/${agg.id}/sub-groups`, {
        sub_groups: [{ group_id: b.id, weight: 1, priority }],
      })
    for (const [bad, message] of [
      [1.5, 'sub_groups.0.priority: must be an integer'],
      ['high', 'sub_groups.0.priority: must be an integer'],
      [1001, 'sub_groups.0.priority: must be at most 1000'],
      [-1001, 'sub_groups.0.priority: must be at least -1000'],
    ] as const) {
      const r = await add(bad)
      expect(r.status).toBe(400)
      expect(r.body.message).toBe(message)
    }
    const put = (body: unknown) =>
      t.admin<{ message: string }>('PUT', `/api/groups/${agg.id}/sub-groups/${a.id}`, body)
    const empty = await put({})
    expect(empty.status).toBe(400)
    expect(empty.body.message).toBe('body: needs weight or priority')
    const big = await put({ priority: 99999 })
    expect(big.status).toBe(400)
    expect(big.body.message).toBe('priority: must be at most 1000')
    expect(
      (await t.admin('PUT', `/api/groups/${agg.id}/sub-groups/${b.id}`, { priority: 1 })).status,
    ).toBe(404)
    type Row = { group: { id: number }; weight: number; priority: number }
    const rows = (await t.admin<{ data: Row[] }>('GET', `/api/groups/${agg.id}/sub-groups`)).body
      .data
    expect(rows.map((r) => [r.group.id, r.weight, r.priority])).toEqual([[a.id, 1, 2]])
  })
})
