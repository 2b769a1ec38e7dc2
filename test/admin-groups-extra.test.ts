// Admin API: group reorder, copy and stats, including bad input that must change nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from './helpers/app'
import { groupInput, HOUR, logRow } from './store.fixtures'

// 12:30 UTC: the current hour is 12:00-13:00 and the stats windows end at 13:00.
const NOW = Date.UTC(2026, 0, 10, 12, 30)
let t: TestApp

beforeEach(async () => {
  t = await createTestApp({ now: () => NOW })
})
afterEach(async () => {
  await t.close()
})

const createGroup = async (name: string, over: Record<string, unknown> = {}) => {
  const res = await t.api('POST', '/api/groups', {
    name,
    display_name: name.toUpperCase(),
    channel_type: 'openai',
    upstreams: [{ url: 'https://api.openai.com', weight: 1 }],
    ...over,
  })
  expect(res.status).toBe(200)
  return (await res.json()).data as { id: number; name: string; sort: number }
}

const sorts = async () =>
  Object.fromEntries((await t.deps.store.listGroups()).map((g) => [g.name, g.sort]))

describe('PUT /api/groups/reorder', () => {
  it('sets each sort and reloads the cache', async () => {
    const a = await createGroup('a')
    const b = await createGroup('b')
    const res = await t.api('PUT', '/api/groups/reorder', {
      items: [
        { id: a.id, sort: 5 },
        { id: b.id, sort: 1 },
      ],
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ code: 0, message: 'Groups reordered' })
    expect(await sorts()).toEqual({ a: 5, b: 1 })
    expect(t.core.cache.byName('a')!.group.sort).toBe(5)
    const list = (await (await t.api('GET', '/api/groups/list')).json()).data
    expect(list.map((g: { name: string }) => g.name)).toEqual(['b', 'a'])
  })

  it('rejects bad input and unknown ids without writing anything', async () => {
    const a = await createGroup('a')
    const bad: Array<[unknown, number]> = [
      [{ items: [] }, 400],
      [{}, 400],
      [{ items: [{ id: 0, sort: 1 }] }, 400],
      [{ items: [{ id: a.id, sort: -1 }] }, 400],
      [{ items: [{ id: a.id, sort: 1.5 }] }, 400],
      [
        {
          items: [
            { id: a.id, sort: 1 },
            { id: a.id, sort: 2 },
          ],
        },
        400,
      ],
      [
        {
          items: [
            { id: a.id, sort: 9 },
            { id: 999, sort: 1 },
          ],
        },
        404,
      ],
      ['{not json', 400],
    ]
    for (const [body, status] of bad) {
      const res = await t.api('PUT', '/api/groups/reorder', body)
      expect(res.status, JSON.stringify(body)).toBe(status)
    }
    expect(await sorts()).toEqual({ a: 0 })
  })
})

describe('POST /api/groups/{id}/copy', () => {
  it('copies every field and all keys under the next free name', async () => {
    const src = await createGroup('src', {
      description: 'd',
      sort: 3,
      test_model: 'gpt-x',
      validation_endpoint: '/v1/x',
      param_overrides: { temperature: 0.5 },
      header_rules: [{ key: 'X-A', value: '1', action: 'set' }],
      proxy_keys: 'pk-1',
    })
    await t.core.keys.add(src.id, ['sk-1', 'sk-2', 'sk-3'])
    const res = await t.api('POST', `/api/groups/${src.id}/copy`, {})
    expect(res.status).toBe(200)
    const { group } = (await res.json()).data
    expect(group).toMatchObject({
      name: 'src_copy',
      display_name: 'SRC Copy',
      description: 'd',
      sort: 3,
      test_model: 'gpt-x',
      validation_endpoint: '/v1/x',
      param_overrides: { temperature: 0.5 },
      header_rules: [{ key: 'X-A', value: '1', action: 'set' }],
      proxy_keys: 'pk-1',
    })
    expect(group.id).not.toBe(src.id)
    expect((await t.deps.store.countKeys(group.id)).total).toBe(3)
    expect(t.core.cache.byName('src_copy')).not.toBeNull()

    const second = await t.api('POST', `/api/groups/${src.id}/copy`, { copy_keys: 'none' })
    const copy2 = (await second.json()).data.group
    expect(copy2.name).toBe('src_copy_2')
    expect((await t.deps.store.countKeys(copy2.id)).total).toBe(0)
  })

  it('copies only active keys with valid_only', async () => {
    const src = await createGroup('src')
    await t.core.keys.add(src.id, ['sk-1', 'sk-2'])
    const [k1] = (await t.deps.store.loadKeys(src.id, 0, 10)).map((k) => k.id)
    await t.deps.store.updateKeyHealth([{ id: k1!, status: 'invalid', failure_count: 3 }])
    const res = await t.api('POST', `/api/groups/${src.id}/copy`, { copy_keys: 'valid_only' })
    const { group } = (await res.json()).data
    const keys = await t.deps.store.loadKeys(group.id, 0, 10)
    expect(keys.map((k) => [k.key_value, k.status])).toEqual([['sk-2', 'active']])
  })

  it("copies an aggregate's members with their weights and priorities", async () => {
    const a = await createGroup('a')
    const b = await createGroup('b')
    const agg = await createGroup('agg', { group_type: 'aggregate', upstreams: [] })
    const sub_groups = [
      { group_id: a.id, weight: 3, priority: 2 },
      { group_id: b.id, weight: 7 },
    ]
    expect((await t.api('POST', `/api/groups/${agg.id}/sub-groups`, { sub_groups })).status).toBe(
      200,
    )
    const res = await t.api('POST', `/api/groups/${agg.id}/copy`, { copy_keys: 'none' })
    expect(res.status).toBe(200)
    const { group } = (await res.json()).data
    expect(group).toMatchObject({ name: 'agg_copy', group_type: 'aggregate' })
    const members = (id: number) =>
      t.deps.store
        .listSubGroups(id)
        .then((rows) => rows.map((r) => [r.sub_group_id, r.weight, r.priority]))
    expect(await members(group.id)).toEqual([
      [a.id, 3, 2],
      [b.id, 7, 0],
    ])
    expect(await members(agg.id)).toEqual(await members(group.id))
    // The copy works as an aggregate at once: the cache knows its members.
    const cached = t.core.cache.byName('agg_copy')!.aggregate!.members
    expect(cached.map((m) => [m.entry.group.name, m.weight, m.priority])).toEqual([
      ['a', 3, 2],
      ['b', 7, 0],
    ])
  })

  it('rejects a bad mode or unknown group and creates nothing', async () => {
    const src = await createGroup('src')
    expect((await t.api('POST', `/api/groups/${src.id}/copy`, { copy_keys: 'x' })).status).toBe(400)
    expect((await t.api('POST', '/api/groups/999/copy', {})).status).toBe(404)
    expect((await t.api('POST', '/api/groups/abc/copy', {})).status).toBe(400)
    expect((await t.deps.store.listGroups()).map((g) => g.name)).toEqual(['src'])
  })
})

describe('GET /api/groups/{id}/stats', () => {
  it('sums the hourly roll-up over 24 h, 7 d and 30 d and counts keys', async () => {
    const g = await createGroup('g')
    await t.core.keys.add(g.id, ['sk-1', 'sk-2'])
    const [k1] = (await t.deps.store.loadKeys(g.id, 0, 10)).map((k) => k.id)
    await t.deps.store.updateKeyHealth([{ id: k1!, status: 'invalid', failure_count: 3 }])
    const at = (ms: number, ok: boolean) =>
      logRow({ group_id: g.id, group_name: 'g', timestamp: new Date(ms), is_success: ok })
    await t.deps.store.insertLogs([
      at(NOW, true), // current hour: inside 24 h
      at(NOW - 2 * HOUR, false),
      at(NOW - 2 * HOUR, true),
      at(NOW - 3 * 24 * HOUR, false), // inside 7 d
      at(NOW - 20 * 24 * HOUR, true), // inside 30 d
      at(NOW - 40 * 24 * HOUR, false), // outside every window
      logRow({ group_id: g.id + 1, timestamp: new Date(NOW) }), // another group
      { ...at(NOW, false), request_type: 'retry' }, // retries are not rolled up
    ])
    const res = await t.api('GET', `/api/groups/${g.id}/stats`)
    expect(res.status).toBe(200)
    expect((await res.json()).data).toEqual({
      key_stats: { total_keys: 2, active_keys: 1, invalid_keys: 1, disabled_keys: 0 },
      stats_24_hour: { total_requests: 3, failed_requests: 1, failure_rate: 0.3333 },
      stats_7_day: { total_requests: 4, failed_requests: 2, failure_rate: 0.5 },
      stats_30_day: { total_requests: 5, failed_requests: 2, failure_rate: 0.4 },
    })
  })

  it('answers zeros for an idle group and 404 for an unknown one', async () => {
    const g = await t.deps.store.createGroup(groupInput('idle'))
    const res = await t.api('GET', `/api/groups/${g.id}/stats`)
    const zero = { total_requests: 0, failed_requests: 0, failure_rate: 0 }
    expect((await res.json()).data).toEqual({
      key_stats: { total_keys: 0, active_keys: 0, invalid_keys: 0, disabled_keys: 0 },
      stats_24_hour: zero,
      stats_7_day: zero,
      stats_30_day: zero,
    })
    expect((await t.api('GET', '/api/groups/999/stats')).status).toBe(404)
  })
})
