// Live probes of invalid keys through the gateway (key_probe_interval_seconds): an invalid key
// gets one real client request once its wait is over. When the upstream takes it, the key is
// restored, in the pool and the store; when it still fails, the request goes on with a healthy
// key and the client never sees the probe, and the next probe waits twice as long. Fake clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, TEST_AUTH_KEY, type TestApp } from './helpers/app'
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream'

let up: FakeUpstream
let t: TestApp
let clock = Date.UTC(2026, 11, 4, 12)

beforeAll(async () => {
  up = await startFakeUpstream()
  t = await createTestApp({ now: () => clock })
})
afterAll(async () => {
  await t.close()
  await up.close()
})

const group = (name: string, keys: string[], config: Record<string, unknown>) =>
  t.createGroup(
    {
      name,
      channel_type: 'openai',
      upstreams: [{ url: up.url, weight: 1 }],
      config: { blacklist_threshold: 1, max_retries: 0, ...config },
    },
    keys,
  )

const chat = (name: string) =>
  t.app.request(`/proxy/${name}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_AUTH_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [] }),
  })

/** Upstream keys reached by one call, and its status. */
const sent = async (name: string) => {
  const from = up.requests.length
  const r = await chat(name)
  await r.arrayBuffer()
  return { status: r.status, keys: up.requests.slice(from).map((q) => q.credential) }
}

const stateOf = async (groupId: number, key: string) => {
  await t.core.keys.flush()
  const r = await t.api('GET', `/api/keys?group_id=${groupId}&page_size=100&reveal=true`)
  const items = ((await r.json()) as { data: { items: Array<Record<string, unknown>> } }).data.items
  return items.find((k) => k.key_value === key)
}

describe('live probes of invalid keys', () => {
  it('restores a key whose probe the upstream takes', async () => {
    const [A, B] = ['sk-probe-a-0123456789', 'sk-probe-b-0123456789']
    const id = await group('probe', [A, B], { key_probe_interval_seconds: 10, max_retries: 1 })
    up.setBehaviour({ [A]: { status: 401 } })
    expect(await sent('probe')).toEqual({ status: 200, keys: [A, B] })
    expect(await stateOf(id, A)).toMatchObject({ status: 'invalid' })
    // Before its wait is over, A is left alone.
    clock += 9_000
    expect(await sent('probe')).toEqual({ status: 200, keys: [B] })

    // Still failing at its first probe: the client is served by B, unaware.
    clock += 1_000
    expect(await sent('probe')).toEqual({ status: 200, keys: [A, B] })
    expect(await stateOf(id, A)).toMatchObject({ status: 'invalid' })
    // The next probe waits twice as long: 20 s.
    clock += 19_000
    expect(await sent('probe')).toEqual({ status: 200, keys: [B] })
    up.setBehaviour({ [A]: null })
    clock += 1_000
    expect(await sent('probe')).toEqual({ status: 200, keys: [A] })
    expect(await stateOf(id, A)).toMatchObject({ status: 'active', failure_count: 0 })
    const history = await t.api('GET', `/api/keys/${(await stateOf(id, A))?.id}/history`)
    const items = ((await history.json()) as { data: { items: Array<Record<string, unknown>> } })
      .data.items
    expect(items[0]).toMatchObject({
      from_state: 'invalid',
      to_state: 'active',
      message: 'restored by a live probe',
    })
    // Back in rotation.
    const both = new Set([...(await sent('probe')).keys, ...(await sent('probe')).keys])
    expect(both).toEqual(new Set([A, B]))
  })

  it('hides a failed probe even when the request had no retries left', async () => {
    const [A, B] = ['sk-probe-c-0123456789', 'sk-probe-d-0123456789']
    await group('probe0', [A, B], { key_probe_interval_seconds: 5, max_retries: 0 })
    up.setBehaviour({ [A]: { status: 401 } })
    // max_retries 0: A's first failure reaches the client, as it must.
    const first = await sent('probe0')
    expect(first.keys[0]).toBe(A)
    expect(first.status).toBe(401)
    clock += 5_000
    expect(await sent('probe0')).toEqual({ status: 200, keys: [A, B] })
  })

  it('starts at most key_probes_per_minute probes a minute, and none when off', async () => {
    const bad = ['sk-probe-e-0123456789', 'sk-probe-f-0123456789', 'sk-probe-g-0123456789']
    const good = 'sk-probe-h-0123456789'
    const config = { key_probe_interval_seconds: 1, key_probes_per_minute: 2, max_retries: 3 }
    const id = await group('budget', [...bad, good], config)
    up.setBehaviour(Object.fromEntries(bad.map((k) => [k, { status: 401 }])))
    clock = Math.ceil(clock / 60_000) * 60_000 + 1_000 // early in a minute
    for (let i = 0; i < 2; i++) await sent('budget')
    const states = await Promise.all(bad.map((k) => stateOf(id, k)))
    expect(states.map((s) => s?.status)).toEqual(['invalid', 'invalid', 'invalid'])
    clock += 2_000
    let probes = 0
    for (let i = 0; i < 5; i++) {
      const r = await sent('budget')
      expect(r.status).toBe(200)
      probes += r.keys.filter((k) => bad.includes(k as string)).length
    }
    expect(probes).toBe(2)
    // Probing off: no invalid key is sent anything.
    await t.api('PUT', `/api/groups/${id}`, {
      config: { ...config, key_probe_interval_seconds: 0 },
    })
    clock += 60_000
    for (let i = 0; i < 3; i++) expect((await sent('budget')).keys).toEqual([good])
  })
})
