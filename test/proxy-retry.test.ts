// Retries and key health through the real gateway: each failure class of the issue, with the
// key's persisted state checked through the admin API.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream'
import { ADMIN_KEY, CHAT_MARK, startTestGateway, type TestGateway } from './helpers/gateway'
import { eventually, sleep } from './helpers/wait'

let up: FakeUpstream
let t: TestGateway
let n = 0

const chat = (group: string) => t.chat(group)

/** A fresh group with these keys; returns its name and id. */
const group = async (keys: string[], config: Record<string, unknown> = {}) => {
  const name = `g${++n}`
  const id = await t.createGroup({ name, upstreams: [{ url: up.url, weight: 1 }], config }, keys)
  return { name, id }
}

// Only the chats' own requests: a key just blacklisted is soon re-validated by the background job
// (a new group is due at once), and that call reaches the same upstream with the same body.
const credsSince = (from: number) =>
  up.requests
    .slice(from)
    .filter((r) => r.headers[CHAT_MARK] === '1')
    .map((r) => r.credential)

beforeAll(async () => {
  up = await startFakeUpstream({
    behaviours: {
      'sk-401': { status: 401 },
      'sk-403': { status: 403 },
      'sk-500': { status: 500 },
      'sk-503': { status: 503 },
      'sk-drop': { destroy: true },
      'sk-slow': { delayMs: 2500 },
      'sk-429': { status: 429, headers: { 'retry-after': '1' } },
      'sk-echo': {
        status: 401,
        body: {
          error: {
            message: 'Incorrect API key provided: sk-echo-secret-1234567890',
            code: 'invalid_api_key',
          },
        },
      },
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

describe('retries', () => {
  it('retries a 401 on another key and charges the failing key', async () => {
    const g = await group(['sk-401', 'sk-ok-a'])
    expect((await chat(g.name)).status).toBe(200)
    expect(credsSince(0)).toEqual(['sk-401', 'sk-ok-a'])
    await eventually(async () => expect((await t.keysOf(g.id))['sk-401'].failure_count).toBe(1))
    expect((await t.keysOf(g.id))['sk-ok-a'].failure_count).toBe(0)
  })

  it('blacklists a key after blacklist_threshold consecutive auth failures, then never picks it', async () => {
    const g = await group(['sk-403', 'sk-ok-b'], { blacklist_threshold: 2 })
    for (let i = 0; i < 4; i++) expect((await chat(g.name)).status).toBe(200)
    await eventually(async () => expect((await t.keysOf(g.id))['sk-403'].status).toBe('invalid'))
    const from = up.requests.length
    for (let i = 0; i < 4; i++) expect((await chat(g.name)).status).toBe(200)
    expect(credsSince(from)).toEqual(['sk-ok-b', 'sk-ok-b', 'sk-ok-b', 'sk-ok-b'])
  })

  it('never tries the same key twice while the group has unused keys', async () => {
    const g = await group(['sk-500', 'sk-503', 'sk-drop', 'sk-ok-c'], { max_retries: 3 })
    const res = await chat(g.name)
    expect(res.status).toBe(200)
    const creds = credsSince(0)
    expect(new Set(creds).size).toBe(creds.length)
  })

  it('does not charge keys for 5xx or network errors', async () => {
    const g = await group(['sk-500', 'sk-drop', 'sk-ok-d'], { max_retries: 2 })
    for (let i = 0; i < 3; i++) expect((await chat(g.name)).status).toBe(200)
    const keys = await t.keysOf(g.id)
    expect(keys['sk-500'].failure_count).toBe(0)
    expect(keys['sk-drop'].failure_count).toBe(0)
    expect(keys['sk-500'].status).toBe('active')
  })

  // request_timeout bounds all attempts together (test/proxy-bounds.test.ts), so the per-attempt
  // cut that leaves time for a retry is response_header_timeout.
  it('times out a slow upstream by its header timeout and retries without charging the key', async () => {
    const g = await group(['sk-slow', 'sk-ok-e'], {
      response_header_timeout: 1,
      request_timeout: 5,
    })
    const started = Date.now()
    const results = await Promise.all([chat(g.name), chat(g.name)])
    expect(results.map((r) => r.status)).toEqual([200, 200])
    expect(Date.now() - started).toBeLessThan(2400)
    expect((await t.keysOf(g.id))['sk-slow'].failure_count).toBe(0)
  })

  it('cools a 429 key down until Retry-After without counting it, then lets it rejoin', async () => {
    const g = await group(['sk-429', 'sk-ok-f'], { blacklist_threshold: 1 })
    for (let i = 0; i < 3; i++) expect((await chat(g.name)).status).toBe(200)
    const during = credsSince(0)
    expect(during.filter((c) => c === 'sk-429').length).toBe(1)
    const k = (await t.keysOf(g.id))['sk-429']
    expect(k.status).toBe('active')
    expect(k.failure_count).toBe(0)
    await sleep(1100)
    up.setBehaviour({ 'sk-429': null })
    const from = up.requests.length
    for (let i = 0; i < 2; i++) expect((await chat(g.name)).status).toBe(200)
    expect(credsSince(from)).toContain('sk-429')
    up.setBehaviour({ 'sk-429': { status: 429, headers: { 'retry-after': '1' } } })
  })

  it('resets the consecutive failure count on a success', async () => {
    const g = await group(['sk-flaky', 'sk-ok-g'], { blacklist_threshold: 3, max_retries: 1 })
    up.setBehaviour({ 'sk-flaky': { status: 401 } })
    expect((await chat(g.name)).status).toBe(200)
    await eventually(async () => expect((await t.keysOf(g.id))['sk-flaky'].failure_count).toBe(1))
    up.setBehaviour({ 'sk-flaky': null })
    for (let i = 0; i < 2; i++) await chat(g.name)
    await eventually(async () => expect((await t.keysOf(g.id))['sk-flaky'].failure_count).toBe(0))
    expect((await t.keysOf(g.id))['sk-flaky'].status).toBe('active')
  })

  it('counts concurrent failures without losing updates', async () => {
    const g = await group(['sk-401'], { blacklist_threshold: 1000, max_retries: 0 })
    const results = await Promise.all(Array.from({ length: 40 }, () => chat(g.name)))
    expect(results.every((r) => r.status === 401)).toBe(true)
    await eventually(async () => expect((await t.keysOf(g.id))['sk-401'].failure_count).toBe(40))
  })

  it('answers 503 NO_KEYS_AVAILABLE when no key is usable', async () => {
    const g = await group([])
    const res = await chat(g.name)
    expect(res.status).toBe(503)
    expect(await res.json()).toMatchObject({ error: { code: 'NO_KEYS_AVAILABLE' } })
  })

  it('returns the last upstream status and body with the echoed key redacted', async () => {
    const g = await group(['sk-echo'], { max_retries: 0 })
    const res = await chat(g.name)
    expect(res.status).toBe(401)
    const text = await res.text()
    expect(text).not.toContain('sk-echo')
    expect(JSON.parse(text).error.code).toBe('invalid_api_key')
  })

  it('sends a body that came in many chunks whole and sized, the same bytes on the retry', async () => {
    const g = await group(['sk-500', 'sk-ok-big'], {
      max_retries: 1,
      enable_request_body_logging: true,
    })
    // About 1.5 MiB with multibyte text, the model last: many socket reads, cut anywhere.
    const content = 'ünïcödé 模型 \\"q\\" '.repeat(60_000)
    const body = JSON.stringify({ messages: [{ role: 'user', content }], model: 'gpt-4o-big' })
    const bytes = Buffer.byteLength(body)
    const from = up.requests.length
    const res = await fetch(`${t.url}/proxy/${g.name}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body,
    })
    expect(res.status).toBe(200)
    const sent = up.requests.slice(from).filter((r) => r.path === '/v1/chat/completions')
    expect(sent.map((r) => r.credential)).toEqual(['sk-500', 'sk-ok-big'])
    for (const r of sent) {
      expect(r.headers['content-length']).toBe(String(bytes))
      expect(r.headers['transfer-encoding']).toBeUndefined()
      expect(r.body === body).toBe(true)
    }
    type Log = { request_type: string; model: string; request_body: string }
    await eventually(async () => {
      const r = await t.admin<{ data: { items: Log[] } }>('GET', `/api/logs?group_name=${g.name}`)
      const rows = r.body.data.items
      expect(rows.map((l) => l.request_type).sort()).toEqual(['final', 'retry'])
      // The model was found across the chunks; the logged body is the text's start.
      for (const l of rows) expect(l.model).toBe('gpt-4o-big')
      for (const l of rows) expect(body.startsWith(l.request_body)).toBe(true)
      for (const l of rows) expect(l.request_body.length).toBeGreaterThan(60_000)
    })
  })

  it('logs one row per attempt, retry then final, with the key masked', async () => {
    const g = await group(['sk-500', 'sk-ok-h'], { max_retries: 1 })
    expect((await chat(g.name)).status).toBe(200)
    type Log = { request_type: string; status_code: number; key_value: string; is_success: boolean }
    await eventually(async () => {
      const r = await t.admin<{ data: { items: Log[] } }>('GET', `/api/logs?group_name=${g.name}`)
      const rows = r.body.data.items
      expect(rows.filter((l) => l.request_type === 'retry' && l.status_code === 500).length).toBe(1)
      expect(rows.filter((l) => l.request_type === 'final' && l.is_success).length).toBe(1)
      expect(rows.length).toBe(2)
      expect(JSON.stringify(rows)).not.toContain('sk-ok-h')
    })
  })
})
