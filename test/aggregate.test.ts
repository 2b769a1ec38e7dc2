// Aggregate groups through the real gateway: membership routes and v1's rules, weighted routing
// over members, failover to another member within one request, and logs naming the parent.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream'
import { startTestGateway, type TestGateway } from './helpers/gateway'
import { eventually } from './helpers/wait'

let up: FakeUpstream
let t: TestGateway
let n = 0

const chat = (group: string) => t.chat(group)

/** A fresh standard group with these keys. */
const member = async (keys: string[], spec: Record<string, unknown> = {}) => {
  const name = `m${++n}`
  const id = await t.createGroup({ name, upstreams: [{ url: up.url, weight: 1 }], ...spec }, keys)
  return { name, id }
}

/** A fresh aggregate with these members and weights. */
const aggregate = async (members: Array<[number, number]>, spec: Record<string, unknown> = {}) => {
  const name = `agg${++n}`
  const id = await t.createGroup({ name, group_type: 'aggregate', ...spec })
  if (members.length) {
    const sub_groups = members.map(([group_id, weight]) => ({ group_id, weight }))
    const r = await t.admin('POST', `/api/groups/${id}/sub-groups`, { sub_groups })
    expect(r.status).toBe(200)
  }
  return { name, id }
}

const subGroups = async (id: number) =>
  (
    await t.admin<{ data: Array<{ group: { id: number }; weight: number }> }>(
      'GET',
      `/api/groups/${id}/sub-groups`,
    )
  ).body.data.map((s) => [s.group.id, s.weight])

beforeAll(async () => {
  up = await startFakeUpstream({
    behaviours: {
      'sk-a-500': { status: 500 },
      'sk-a-500b': { status: 500 },
      'sk-a-401': { status: 401 },
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

describe('aggregate groups: admin', () => {
  it('creates an aggregate without upstreams and round-trips its members', async () => {
    const a = await member(['sk-a1', 'sk-a2'])
    const b = await member(['sk-b1'])
    const agg = await aggregate([[a.id, 3]])
    const g = await t.admin<{ data: Record<string, unknown> }>('GET', '/api/groups')
    const created = (g.body.data as unknown as Array<Record<string, unknown>>).find(
      (x) => x.id === agg.id,
    )!
    expect(created).toMatchObject({ group_type: 'aggregate', upstreams: [], test_model: '-' })

    const add = { sub_groups: [{ group_id: b.id, weight: 1 }] }
    expect((await t.admin('POST', `/api/groups/${agg.id}/sub-groups`, add)).status).toBe(200)
    const list = await t.admin<{ data: Array<Record<string, unknown>> }>(
      'GET',
      `/api/groups/${agg.id}/sub-groups`,
    )
    expect(list.body.data[0]).toMatchObject({ weight: 3, total_keys: 2, active_keys: 2 })
    expect(await subGroups(agg.id)).toEqual([
      [a.id, 3],
      [b.id, 1],
    ])
    // Adding a member twice is refused.
    expect((await t.admin('POST', `/api/groups/${agg.id}/sub-groups`, add)).status).toBe(400)

    const w = await t.admin('PUT', `/api/groups/${agg.id}/sub-groups/${b.id}/weight`, {
      weight: 7,
    })
    expect(w.status).toBe(200)
    const parents = await t.admin('GET', `/api/groups/${b.id}/parent-aggregate-groups`)
    expect(parents.body).toMatchObject({
      data: [{ group_id: agg.id, name: agg.name, display_name: '', weight: 7 }],
    })
    expect((await t.admin('DELETE', `/api/groups/${agg.id}/sub-groups/${b.id}`)).status).toBe(200)
    expect(await subGroups(agg.id)).toEqual([[a.id, 3]])
    expect((await t.admin('DELETE', `/api/groups/${agg.id}/sub-groups/${b.id}`)).status).toBe(404)
    // Sub-group routes need an aggregate.
    expect((await t.admin('GET', `/api/groups/${a.id}/sub-groups`)).status).toBe(400)
  })

  it('refuses nesting, mixed channels, redirect rules and member channel changes', async () => {
    const a = await member(['sk-v1'])
    const gem = await member(['sk-v2'], { channel_type: 'gemini', test_model: 'gemini-2.0-flash' })
    const inner = await aggregate([])
    const agg = await aggregate([[a.id, 1]])
    const add = (group_id: number) =>
      t.admin('POST', `/api/groups/${agg.id}/sub-groups`, { sub_groups: [{ group_id, weight: 1 }] })
    expect((await add(inner.id)).status).toBe(400)
    expect((await add(gem.id)).status).toBe(400)
    expect((await add(agg.id)).status).toBe(400)
    expect(await subGroups(agg.id)).toEqual([[a.id, 1]])

    const rules = { model_redirect_rules: { 'gpt-4o': 'gpt-4o-mini' } }
    const bad = await t.admin('POST', '/api/groups', {
      name: `agg${++n}`,
      group_type: 'aggregate',
      channel_type: 'openai',
      ...rules,
    })
    expect(bad.status).toBe(400)
    expect((await t.admin('PUT', `/api/groups/${agg.id}`, rules)).status).toBe(400)

    const change = await t.admin('PUT', `/api/groups/${a.id}`, { channel_type: 'anthropic' })
    expect(change.status).toBe(400)
    const endpoint = await t.admin('PUT', `/api/groups/${a.id}`, { validation_endpoint: '/v1/x' })
    expect(endpoint.status).toBe(400)
    const after = await t.admin<{ data: Array<{ id: number; channel_type: string }> }>(
      'GET',
      '/api/groups',
    )
    expect(after.body.data.find((g) => g.id === a.id)?.channel_type).toBe('openai')
    // Other fields of a member stay editable.
    expect((await t.admin('PUT', `/api/groups/${a.id}`, { display_name: 'A' })).status).toBe(200)
  })
})

describe('aggregate groups: proxy', () => {
  it('routes by member weight', async () => {
    const a = await member(['sk-w-a'])
    const b = await member(['sk-w-b'])
    const agg = await aggregate([
      [a.id, 3],
      [b.id, 1],
    ])
    for (let i = 0; i < 8; i++) expect((await chat(agg.name)).status).toBe(200)
    const creds = up.requests.map((r) => r.credential)
    expect(creds.filter((c) => c === 'sk-w-a')).toHaveLength(6)
    expect(creds.filter((c) => c === 'sk-w-b')).toHaveLength(2)
  })

  it('fails over to another member within one request and logs the parent', async () => {
    // A still has an untried key, but the retry goes to B (unlike v1, reference §8.1 #4).
    const a = await member(['sk-a-500', 'sk-a-500b'])
    const b = await member(['sk-b-ok'])
    const agg = await aggregate([
      [a.id, 1000],
      [b.id, 1],
    ])
    expect((await chat(agg.name)).status).toBe(200)
    const creds = up.requests.map((r) => r.credential)
    expect(creds).toHaveLength(2)
    expect(['sk-a-500', 'sk-a-500b']).toContain(creds[0])
    expect(creds[1]).toBe('sk-b-ok')

    const a2 = await member(['sk-a-401'])
    const agg2 = await aggregate([
      [a2.id, 1000],
      [b.id, 1],
    ])
    expect((await chat(agg2.name)).status).toBe(200)
    expect(up.requests.slice(2).map((r) => r.credential)).toEqual(['sk-a-401', 'sk-b-ok'])

    type Log = { group_name: string; parent_group_id: number; parent_group_name: string }
    const logs = await eventually(async () => {
      const r = await t.admin<{ data: { items: Log[] } }>(
        'GET',
        `/api/logs?parent_group_name=${agg.name}`,
      )
      expect(r.body.data.items).toHaveLength(2)
      return r.body.data.items
    })
    expect(logs.map((l) => l.group_name).sort()).toEqual([a.name, b.name].sort())
    expect(logs.every((l) => l.parent_group_id === agg.id)).toBe(true)
  })

  it('skips members without keys and answers 503 when none is usable', async () => {
    const empty = await member([])
    const b = await member(['sk-e-ok'])
    const agg = await aggregate([
      [empty.id, 1000],
      [b.id, 1],
    ])
    expect((await chat(agg.name)).status).toBe(200)
    expect(up.requests.map((r) => r.credential)).toEqual(['sk-e-ok'])

    const none = await aggregate([[empty.id, 1]])
    const res = await chat(none.name)
    expect(res.status).toBe(503)
    expect(await res.json()).toMatchObject({
      error: { code: 'NO_KEYS_AVAILABLE', message: 'No available sub-groups' },
    })
  })

  it("accepts the aggregate's own proxy key", async () => {
    const b = await member(['sk-pk-ok'])
    const agg = await aggregate([[b.id, 1]], { proxy_keys: 'sk-agg-proxy' })
    const res = await fetch(`${t.url}/proxy/${agg.name}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-agg-proxy', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [] }),
    })
    expect(res.status).toBe(200)
  })
})
