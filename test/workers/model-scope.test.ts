// Per-model cooldowns and used-up limits inside workerd, through the gateway over D1: a 429 for
// one model leaves the key serving others, and a success saying `remaining: 0` spares the key.
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

/** The upstream: A is rate limited on gpt-4o for 20 s, and says its gpt-4.1 requests are used up. */
const upstream = async (input: RequestInfo | URL, init?: RequestInit) => {
  const req = new Request(input, init)
  const key = (req.headers.get('authorization') ?? '').replace('Bearer ', '')
  const { model } = (await req.json()) as { model: string }
  used.push(key)
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

const chat = (model: string) =>
  edgeload.app.request('/proxy/scope/v1/chat/completions', {
    method: 'POST',
    headers: { Authorization: `Bearer ${AUTH}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [] }),
  })

const keysFor = async (model: string, n: number) => {
  const from = used.length
  for (let i = 0; i < n; i++) expect((await chat(model)).status).toBe(200)
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
  const post = (path: string, body: unknown) =>
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
})
