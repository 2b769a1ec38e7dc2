// createApp inside workerd: Deps built here over the D1 store (migrations applied by setup.ts) and
// the memory key pool; a group and keys made through the admin API; plain and streamed proxying.
import { env } from 'cloudflare:workers'
import { drizzle } from 'drizzle-orm/d1'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, type EdgeloadApp } from '../../src/app'
import { createSqlCoordination } from '../../src/coord/sql'
import type { Deps } from '../../src/deps'
import { createMemoryKeyPool } from '../../src/keys/pool-memory'
import * as schema from '../../src/store/schema.sqlite'
import { createSqlStore } from '../../src/store/sql'
import { testCoreConfig } from './core-config'
import { createFakeOpenAI, STREAM_PARTS } from './fake-openai'

const AUTH = env.AUTH_KEY
const UPSTREAM_KEYS = ['sk-w-1', 'sk-w-2']

const upstream = createFakeOpenAI(30, {
  'sk-wd-late': 'late',
  'sk-wd-silent': 'silent',
  'sk-wh-late': 'late',
})
const pending: Promise<unknown>[] = []
const errors: string[] = []
let edgeload: EdgeloadApp

const db = drizzle(env.DB, { schema })
const createDeps = (): Deps => ({
  store: createSqlStore(db),
  pool: createMemoryKeyPool(),
  coord: createSqlCoordination(db),
  fetch: upstream.fetch,
  // Jobs are not under test here; log rows are flushed explicitly at the end.
  scheduler: { every: () => () => {} },
  waitUntil: (p) => void pending.push(p),
  now: Date.now,
  log: (level, msg, extra) => {
    if (level === 'error') errors.push(`${msg} ${JSON.stringify(extra ?? {})}`)
  },
  config: testCoreConfig(AUTH),
})

const admin = (path: string, body: unknown) =>
  edgeload.app.request(path, {
    method: 'POST',
    headers: { Authorization: `Bearer ${AUTH}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })

const chat = (body: Record<string, unknown>, key = AUTH, group = 'w') =>
  edgeload.app.request(`/proxy/${group}/v1/chat/completions`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      ...body,
    }),
  })

beforeAll(async () => {
  edgeload = createApp(createDeps())
  await edgeload.init({ seedSettings: { proxy_keys: AUTH } })

  const group = await admin('/api/groups', {
    name: 'w',
    channel_type: 'openai',
    upstreams: [{ url: 'https://upstream.test', weight: 1 }],
    test_model: 'gpt-4o-mini',
  })
  expect(group.status).toBe(200)
  const { data } = (await group.json()) as { data: { id: number } }

  const keys = await admin('/api/keys/add-multiple', {
    group_id: data.id,
    keys_text: UPSTREAM_KEYS.join(','),
  })
  expect(keys.status).toBe(200)
  expect(await keys.json()).toMatchObject({ code: 0, data: { added_count: 2 } })

  // Stream deadlines of 1 s: a late first byte fails over, a silent stream ends with an error.
  for (const [name, keysText] of [
    ['wd', 'sk-wd-late,sk-wd-ok'],
    ['ws', 'sk-wd-silent'],
  ]) {
    const g = await admin('/api/groups', {
      name,
      channel_type: 'openai',
      upstreams: [{ url: 'https://upstream.test', weight: 1 }],
      test_model: 'gpt-4o-mini',
      config: { first_byte_timeout: 1, stream_idle_timeout: 1, max_retries: 1 },
    })
    const id = ((await g.json()) as { data: { id: number } }).data.id
    const k = await admin('/api/keys/add-multiple', { group_id: id, keys_text: keysText })
    expect(k.status).toBe(200)
  }
  // Heartbeats every second while a late first event is awaited.
  const h = await admin('/api/groups', {
    name: 'wh',
    channel_type: 'openai',
    upstreams: [{ url: 'https://upstream.test', weight: 1 }],
    test_model: 'gpt-4o-mini',
    config: { stream_heartbeat_interval: 1 },
  })
  const hid = ((await h.json()) as { data: { id: number } }).data.id
  await admin('/api/keys/add-multiple', { group_id: hid, keys_text: 'sk-wh-late' })
})

afterAll(async () => {
  await Promise.allSettled(pending)
  await edgeload?.close()
})

describe('proxy inside workerd (D1 store, memory pool)', () => {
  it('forwards a chat completion with an upstream key, never the proxy key', async () => {
    const res = await chat({})
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-4o-mini',
      choices: [{ message: { role: 'assistant', content: 'Hello from workerd' } }],
    })
    const call = upstream.calls.at(-1)
    expect(call?.url).toBe('https://upstream.test/v1/chat/completions')
    expect(UPSTREAM_KEYS.map((k) => `Bearer ${k}`)).toContain(call?.authorization)
    expect(call?.authorization).not.toContain(AUTH)
    expect(JSON.parse(call?.body ?? '{}')).toMatchObject({ model: 'gpt-4o-mini' })
  })

  it('streams SSE events through as they arrive', async () => {
    const res = await chat({ stream: true })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/event-stream')
    expect(upstream.calls.at(-1)?.authorization).toMatch(/^Bearer sk-w-[12]$/)

    const reader = (res.body as ReadableStream<Uint8Array>).getReader()
    const dec = new TextDecoder()
    const first = await reader.read()
    // The first event is here while the upstream is still producing: nothing was buffered.
    expect(first.done).toBe(false)
    expect(upstream.isLastEventSent()).toBe(false)
    let text = dec.decode(first.value, { stream: true })
    expect(text).toContain(STREAM_PARTS[0])

    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      text += dec.decode(value, { stream: true })
    }
    await upstream.lastEventSent()
    const events = text.split('\n\n').filter((e) => e.startsWith('data: '))
    expect(events).toHaveLength(STREAM_PARTS.length + 1)
    for (const part of STREAM_PARTS) expect(text).toContain(JSON.stringify(part))
    expect(text).toContain('data: [DONE]')
  })

  it('refuses a wrong proxy key with 401', async () => {
    const calls = upstream.calls.length
    const res = await chat({}, 'not-the-key')
    expect(res.status).toBe(401)
    expect(upstream.calls.length).toBe(calls)
  })

  it('answers 404 for an unknown group', async () => {
    const res = await chat({}, AUTH, 'nope')
    expect(res.status).toBe(404)
  })

  it('fails a late first byte over to the next key, and logs the retry', async () => {
    const from = upstream.calls.length
    const res = await chat({ stream: true }, AUTH, 'wd')
    expect(res.status).toBe(200)
    const text = await res.text()
    expect(upstream.calls.slice(from).map((c) => c.authorization)).toEqual([
      'Bearer sk-wd-late',
      'Bearer sk-wd-ok',
    ])
    for (const part of STREAM_PARTS) expect(text).toContain(JSON.stringify(part))
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true)
    await Promise.allSettled(pending)
    await edgeload.core.logs.flush()
    const { items } = await edgeload.core.deps.store.queryLogs({ page: 1, page_size: 50 })
    const retry = items.find((r) => r.group_name === 'wd' && r.request_type === 'retry')
    expect(retry).toMatchObject({ status_code: 504, error_message: 'no first byte within 1 s' })
  })

  it('ends a silent stream with an in-band error event', async () => {
    const res = await chat({ stream: true }, AUTH, 'ws')
    expect(res.status).toBe(200)
    const events = (await res.text()).split('\n\n').filter(Boolean)
    expect(events[0]).toContain(JSON.stringify(STREAM_PARTS[0]))
    expect(events).toHaveLength(2)
    expect(JSON.parse(events[1]!.slice('data: '.length))).toEqual({
      error: { message: 'stream idle for 1 s', type: 'server_error', code: 'BAD_GATEWAY' },
    })
  })

  it('keeps a waiting stream alive with SSE comments until its first event', async () => {
    const res = await chat({ stream: true }, AUTH, 'wh')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const text = await res.text()
    const pings = text.match(/^: keep-alive\n\n/gm) ?? []
    // The first event comes 2.5 s late: a comment at 1 s and 2 s, before any data.
    expect(pings.length).toBeGreaterThanOrEqual(2)
    expect(text.indexOf('data: ')).toBeGreaterThan(text.lastIndexOf(': keep-alive'))
    for (const part of STREAM_PARTS) expect(text).toContain(JSON.stringify(part))
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true)
  })

  it('writes the request logs to D1', async () => {
    await Promise.allSettled(pending)
    await edgeload.core.logs.flush()
    const { items } = await edgeload.core.deps.store.queryLogs({ page: 1, page_size: 50 })
    const ok = items.filter((r) => r.group_name === 'w' && r.status_code === 200)
    expect(ok.map((r) => r.is_stream).sort()).toEqual([false, true])
    expect(ok.every((r) => r.key_hash.length === 64)).toBe(true)
    expect(errors).toEqual([])
  })
})
