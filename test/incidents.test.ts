// Upstream incidents through the gateway: when many keys fail alike on one upstream with no
// success between, the upstream is at fault. No key is charged, the penalties already given are
// undone, the upstream's circuit opens (skipped while the group has another), one probe at a time
// tests it once the open time is over, and the dashboard shows it. Keys an upstream names as
// invalid stay the keys' own fault, however many there are. Fake clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createUndiciFetch } from '../adapters/node/fetch'
import { createTestApp, TEST_AUTH_KEY, type TestApp } from './helpers/app'
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream'

let good: FakeUpstream
let bad: FakeUpstream
let t: TestApp
let clock = Date.UTC(2026, 11, 4, 12)
const upstreamFetch = createUndiciFetch({ env: {} })

beforeAll(async () => {
  good = await startFakeUpstream()
  bad = await startFakeUpstream()
  // The Node adapter's fetch, which goes through a group's proxy_url.
  t = await createTestApp({ now: () => clock, fetch: upstreamFetch })
})
afterAll(async () => {
  await t.close()
  await upstreamFetch.close()
  await good.close()
  await bad.close()
})

const keys = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `sk-${prefix}-${i}-0123456789abcdef`)

const group = (name: string, upstreams: string[], list: string[], config = {}) =>
  t.createGroup(
    {
      name,
      channel_type: 'openai',
      upstreams: upstreams.map((url) => ({ url, weight: 1 })),
      config: { max_retries: 3, ...config },
    },
    list,
  )

const chat = (name: string) =>
  t.app.request(`/proxy/${name}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_AUTH_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [] }),
  })

const upstreamsApi = async () => {
  const r = await t.api('GET', '/api/dashboard/upstreams')
  expect(r.status).toBe(200)
  return ((await r.json()) as { data: Array<Record<string, unknown>> }).data
}

const keyStates = async (groupId: number) => {
  await t.core.keys.flush()
  const r = await t.api('GET', `/api/keys?group_id=${groupId}&page_size=100`)
  const items = (
    (await r.json()) as { data: { items: Array<{ status: string; failure_count: number }> } }
  ).data.items
  return items.map((k) => `${k.status}:${k.failure_count}`)
}

describe('upstream incidents', () => {
  it('opens the circuit of an upstream throttling every key, undoes the cooldowns, probes it back', async () => {
    const list = keys('egress', 8)
    const id = await group('egress', [bad.url, good.url], list)
    // The bad upstream throttles everyone: an egress limit, not the keys'.
    bad.setBehaviour({ default: { status: 429, headers: { 'retry-after': '60' } } })
    for (let i = 0; i < 10; i++) expect((await chat('egress')).status).toBe(200)
    const circuits = await upstreamsApi()
    expect(circuits).toEqual([
      expect.objectContaining({
        upstream: bad.url,
        state: 'open',
        failure: 'rate_limit',
        cause: '5 keys failed with 429 within 10 s',
        probing: false,
      }),
    ])
    // No key stays penalised: all eight serve on the good upstream, for the throttled model too.
    const before = good.requests.length
    const badBefore = bad.requests.length
    for (let i = 0; i < 8; i++) expect((await chat('egress')).status).toBe(200)
    expect(new Set(good.requests.slice(before).map((r) => r.credential))).toEqual(new Set(list))
    expect(bad.requests.length).toBe(badBefore)
    expect(await keyStates(id)).toEqual(list.map(() => 'active:0'))

    // After the open time, one request probes the bad upstream; it has recovered: closed.
    bad.setBehaviour({ default: null })
    clock += 30_000
    const probeFrom = bad.requests.length
    for (let i = 0; i < 4; i++) expect((await chat('egress')).status).toBe(200)
    expect(bad.requests.length).toBeGreaterThan(probeFrom)
    expect(await upstreamsApi()).toEqual([])
  })

  it('re-opens for twice as long when the probe fails, sending one probe at a time', async () => {
    const list = keys('flap', 6)
    await group('flap', [bad.url, good.url], list)
    bad.setBehaviour({ default: { status: 429 } })
    for (let i = 0; i < 8; i++) expect((await chat('flap')).status).toBe(200)
    const [open] = await upstreamsApi()
    expect(open).toMatchObject({ state: 'open' })
    clock += 30_000
    const from = bad.requests.length
    // Concurrent requests: exactly one of them probes.
    const answers = await Promise.all(Array.from({ length: 6 }, () => chat('flap')))
    expect(answers.map((r) => r.status)).toEqual(answers.map(() => 200))
    expect(bad.requests.length - from).toBe(1)
    const [again] = await upstreamsApi()
    expect(again).toMatchObject({ state: 'open' })
    // Twice the 10 s open time, give or take 20 %.
    const wait = Date.parse(String(again.retry_at)) - clock
    expect(wait).toBeGreaterThanOrEqual(16_000)
    expect(wait).toBeLessThanOrEqual(24_000)
    bad.setBehaviour({ default: null })
    clock += 60_000
    for (let i = 0; i < 3; i++) expect((await chat('flap')).status).toBe(200)
    expect(await upstreamsApi()).toEqual([])
  })

  it('answers fast, with Retry-After, when the only upstream is open', async () => {
    const list = keys('only', 6)
    await group('only', [bad.url], list, { max_retries: 6 })
    bad.setBehaviour({ default: { status: 429 } })
    expect((await chat('only')).status).toBe(429)
    clock += 1 // so this request's log row is the newest
    const from = bad.requests.length
    const r = await chat('only')
    expect(bad.requests.length).toBe(from)
    expect(r.status).toBe(429)
    const retry = Number(r.headers.get('retry-after'))
    expect(retry).toBeGreaterThanOrEqual(8)
    expect(retry).toBeLessThanOrEqual(12)
    const body = (await r.json()) as { error: { code: string; message: string } }
    expect(body.error.code).toBe('UPSTREAM_CIRCUIT_OPEN')
    expect(body.error.message).toMatch(/failing for many keys at once \(\d keys failed with 429/)
    await t.core.logs.flush()
    const row = (await t.deps.store.queryLogs({ page: 1, page_size: 1 })).items[0]
    expect(row.error_message).toMatch(/^circuit open: \d keys failed with 429 within 10 s$/)
    bad.setBehaviour({ default: null })
    clock += 30_000
    expect((await chat('only')).status).toBe(200)
  })

  it('opens on connection errors from many keys, and skips the dead upstream', async () => {
    const dead = 'http://127.0.0.1:9' // discard port: nothing listens
    const list = keys('conn', 6)
    await group('conn', [dead, good.url], list)
    for (let i = 0; i < 10; i++) expect((await chat('conn')).status).toBe(200)
    expect(await upstreamsApi()).toEqual([
      expect.objectContaining({
        upstream: dead,
        state: 'open',
        failure: 'connect',
        cause: '5 connection errors within 10 s',
      }),
    ])
    clock += 3_600_000 // let this circuit go half-open, then close it by hand for the next tests
  })

  it('finds a dead outbound proxy from failures on every upstream behind it', async () => {
    await t.deps.pool.probeDone('http://127.0.0.1:9', true, clock)
    // Nothing listens on the proxy's port; its credentials must show nowhere.
    const proxy_url = 'http://user:s3cret-pw@127.0.0.1:9'
    for (const [name, url] of [
      ['via-a', good.url],
      ['via-b', bad.url],
    ]) {
      await group(name, [url], keys(name, 3), { proxy_url, max_retries: 0 })
    }
    const statuses: number[] = []
    for (let i = 0; i < 3; i++) {
      statuses.push((await chat('via-a')).status)
      statuses.push((await chat('via-b')).status)
    }
    // Five connection errors on the proxy the two upstreams share; then its circuit is open.
    expect(statuses).toEqual([502, 502, 502, 502, 502, 503])
    // Neither upstream had five errors of its own: only the proxy is listed.
    const list = await upstreamsApi()
    expect(list).toEqual([
      expect.objectContaining({
        upstream: 'proxy http://127.0.0.1:9',
        state: 'open',
        failure: 'connect',
        cause: '5 connection errors within 10 s',
      }),
    ])
    const r = await chat('via-a')
    expect(r.status).toBe(503)
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe(
      'UPSTREAM_CIRCUIT_OPEN',
    )
    await t.core.logs.flush()
    const rows = (await t.deps.store.queryLogs({ page: 1, page_size: 20 })).items
    expect(JSON.stringify([list, rows])).not.toContain('s3cret')
    await t.deps.pool.probeDone('proxy http://127.0.0.1:9', true, clock)
    clock += 3_600_000
  })

  it('keeps many invalid keys the keys’ own fault: blacklisted, no circuit', async () => {
    const list = keys('dead', 6)
    const id = await group('deadkeys', [good.url], [...list, 'sk-alive-0123456789abcdef'], {
      blacklist_threshold: 1,
      max_retries: 7,
    })
    good.setBehaviour(Object.fromEntries(list.map((k) => [k, { status: 401 }])))
    expect((await chat('deadkeys')).status).toBe(200)
    expect((await chat('deadkeys')).status).toBe(200)
    expect(await upstreamsApi()).toEqual([])
    const states = await keyStates(id)
    expect(states.filter((s) => s.startsWith('invalid')).length).toBe(6)
  })

  it('does not count a busy pool’s per-key 429s between successes', async () => {
    const list = keys('busy', 10)
    await group('busy', [good.url], list, { max_retries: 1 })
    // Every other key is rate limited; the others succeed in between.
    good.setBehaviour(
      Object.fromEntries(list.filter((_, i) => i % 2 === 0).map((k) => [k, { status: 429 }])),
    )
    for (let i = 0; i < 10; i++) await chat('busy')
    expect(await upstreamsApi()).toEqual([])
  })

  it("takes 429s with differing resets for each key's own limit, not an incident", async () => {
    const list = keys('stagger', 8)
    await group('stagger', [good.url], list, { max_retries: 7 })
    // Every key out at once, each with its own reset: a busy pool, not a throttled upstream.
    good.setBehaviour(
      Object.fromEntries(
        list.map((k, i) => [k, { status: 429, headers: { 'retry-after': String(5 + i * 3) } }]),
      ),
    )
    expect((await chat('stagger')).status).toBe(429)
    expect(await upstreamsApi()).toEqual([])
    // The keys cool, each to its own reset.
    const r = await chat('stagger')
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('KEYS_COOLING')
    expect(r.headers.get('retry-after')).toBe('5')
    good.setBehaviour(Object.fromEntries(list.map((k) => [k, null])))
  })

  it('turns off with incident_min_keys 0', async () => {
    expect((await t.api('PUT', '/api/settings', { incident_min_keys: 0 })).status).toBe(200)
    const list = keys('off', 6)
    await group('off', [bad.url], list, { max_retries: 6 })
    bad.setBehaviour({ default: { status: 429 } })
    expect((await chat('off')).status).toBe(429)
    expect(await upstreamsApi()).toEqual([])
    const r = await chat('off')
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('KEYS_COOLING')
  })
})
