// Key and route health inside workerd, through the gateway over D1: a 429 for one model leaves
// the key serving others; a success saying `remaining: 0` spares the key; keys throttled alike on
// one upstream open its circuit instead of cooling; an invalid key's live probe restores it.
import { env } from 'cloudflare:workers'
import { drizzle } from 'drizzle-orm/d1'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, type EdgeloadApp } from '../../src/app'
import { createSqlCoordination } from '../../src/coord/sql'
import { fromWebFetch } from '../../src/http/web-fetch'
import { createMemoryKeyPool } from '../../src/keys/pool-memory'
import * as schema from '../../src/store/schema.sqlite'
import { createSqlStore } from '../../src/store/sql'
import { testCoreConfig } from './core-config'

const AUTH = env.AUTH_KEY
const [A, B] = ['sk-scope-w-a', 'sk-scope-w-b']
let clock = Date.UTC(2026, 11, 4, 12)
const used: string[] = []
const pending: Promise<unknown>[] = []
let edgeload: EdgeloadApp
let post: (path: string, body: unknown) => Response | Promise<Response>

/** Keys the "throttled" upstream answers 429 to, and keys the upstream calls invalid. */
const throttled = { on: false }
const revoked = new Set<string>()

/**
 * The upstreams: on upstream.test, A is rate limited on gpt-4o for 20 s and says its gpt-4.1
 * requests are used up; throttled.test answers 429 to everyone while `throttled.on`.
 */
const upstream = async (input: RequestInfo | URL, init?: RequestInit) => {
  const req = new Request(input, init)
  const key = (req.headers.get('authorization') ?? '').replace('Bearer ', '')
  const { model } = (await req.json()) as { model: string }
  used.push(key)
  const host = new URL(req.url).host
  if (host === 'throttled.test' && throttled.on) {
    const error = { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' }
    return Response.json({ error }, { status: 429, headers: { 'retry-after': '60' } })
  }
  if (revoked.has(key)) {
    const error = { message: 'Incorrect API key provided', code: 'invalid_api_key' }
    return Response.json({ error }, { status: 401 })
  }
  if (key === A && model === 'gpt-4o') {
    const error = {
      message: 'Rate limit reached for gpt-4o',
      type: 'requests',
      code: 'rate_limit_exceeded',
    }
    return Response.json(
      { error },
      { status: 429, headers: { 'x-ratelimit-reset-requests': '20s' } },
    )
  }
  const headers: Record<string, string> =
    key === A && model === 'gpt-4.1'
      ? { 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '10s' }
      : {}
  return Response.json({ object: 'chat.completion', model, choices: [] }, { headers })
}

const chat = (model: string, group = 'scope') =>
  edgeload.app.request(`/proxy/${group}/v1/chat/completions`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${AUTH}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [] }),
  })

const keysFor = async (model: string, n: number, group = 'scope') => {
  const from = used.length
  for (let i = 0; i < n; i++) expect((await chat(model, group)).status).toBe(200)
  await Promise.all(pending)
  return used.slice(from)
}

beforeAll(async () => {
  const db = drizzle(env.DB, { schema })
  edgeload = createApp({
    store: createSqlStore(db),
    pool: createMemoryKeyPool(),
    coord: createSqlCoordination(db),
    fetch: fromWebFetch(upstream as typeof fetch),
    scheduler: { every: () => () => {} },
    waitUntil: (p) => void pending.push(p),
    now: () => clock,
    log: () => {},
    config: testCoreConfig(AUTH),
  })
  await edgeload.init({ seedSettings: { proxy_keys: AUTH } })
  post = (path: string, body: unknown) =>
    edgeload.app.request(path, {
      method: 'POST',
      headers: { Authorization: `Bearer ${AUTH}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
  const g = await post('/api/groups', {
    name: 'scope',
    channel_type: 'openai',
    upstreams: [{ url: 'https://upstream.test', weight: 1 }],
  })
  const { data } = (await g.json()) as { data: { id: number } }
  await post('/api/keys/add-multiple', { group_id: data.id, keys_text: `${A},${B}` })
})

afterAll(async () => {
  await Promise.allSettled(pending)
  await edgeload?.close()
})

describe('key health per model inside workerd', () => {
  it('cools a key for the rate-limited model only', async () => {
    expect(await keysFor('gpt-4o', 1)).toEqual([A, B])
    expect(await keysFor('gpt-4o', 3)).toEqual([B, B, B])
    expect(new Set(await keysFor('gpt-4o-mini', 4))).toEqual(new Set([A, B]))
    clock += 20_000
    expect(new Set(await keysFor('gpt-4o-mini', 2))).toEqual(new Set([A, B]))
  })

  it('spares a key whose limit is used up until its reset', async () => {
    const first = await keysFor('gpt-4.1', 2)
    expect(first).toContain(A)
    expect(await keysFor('gpt-4.1', 3)).toEqual([B, B, B])
    clock += 10_000
    expect(new Set(await keysFor('gpt-4.1', 2))).toEqual(new Set([A, B]))
  })

  it('opens the circuit of an upstream that throttles every key, charging none', async () => {
    const keys = Array.from({ length: 6 }, (_, i) => `sk-egress-w-${i}`)
    const g = await post('/api/groups', {
      name: 'egress',
      channel_type: 'openai',
      upstreams: [
        { url: 'https://throttled.test', weight: 1 },
        { url: 'https://upstream.test', weight: 1 },
      ],
      config: { max_retries: 3 },
    })
    const { data } = (await g.json()) as { data: { id: number } }
    await post('/api/keys/add-multiple', { group_id: data.id, keys_text: keys.join(',') })
    throttled.on = true
    for (let i = 0; i < 10; i++) expect((await chat('gpt-4o-mini', 'egress')).status).toBe(200)
    const circuits = await edgeload.app.request('/api/dashboard/upstreams', {
      headers: { Authorization: `Bearer ${AUTH}` },
    })
    const list = ((await circuits.json()) as { data: Array<Record<string, unknown>> }).data
    expect(list).toEqual([
      expect.objectContaining({ upstream: 'https://throttled.test', state: 'open' }),
    ])
    // Every key serves again on the healthy upstream: the penalties were undone.
    expect(new Set(await keysFor('gpt-4o-mini', 6, 'egress'))).toEqual(new Set(keys))
    throttled.on = false
  })

  it('restores an invalid key through a live probe', async () => {
    const [C, D] = ['sk-probe-w-c', 'sk-probe-w-d']
    const g = await post('/api/groups', {
      name: 'probe',
      channel_type: 'openai',
      upstreams: [{ url: 'https://upstream.test', weight: 1 }],
      config: { max_retries: 1, blacklist_threshold: 1, key_probe_interval_seconds: 10 },
    })
    const { data } = (await g.json()) as { data: { id: number } }
    await post('/api/keys/add-multiple', { group_id: data.id, keys_text: `${C},${D}` })
    revoked.add(C)
    expect(await keysFor('gpt-4o-mini', 1, 'probe')).toEqual([C, D])
    expect(await keysFor('gpt-4o-mini', 2, 'probe')).toEqual([D, D])
    revoked.delete(C)
    clock += 10_000
    expect(await keysFor('gpt-4o-mini', 1, 'probe')).toEqual([C])
    expect(new Set(await keysFor('gpt-4o-mini', 2, 'probe'))).toEqual(new Set([C, D]))
  })
})
