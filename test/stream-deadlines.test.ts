// Stream deadlines and clean errors (issue 11 §5) through the real gateway, over the Node
// adapter's fast path and over the portable Web-fetch path: a late first byte fails over, a
// silent or cut stream ends with the channel's in-band error event, a normal stream is untouched.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBothPaths, type PathGateway } from './helpers/both-paths'
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream'
import { ADMIN_KEY } from './helpers/gateway'
import { eventually } from './helpers/wait'

interface Log {
  status_code: number
  request_type: string
  error_message: string
  key_masked: string
  is_success: boolean
}

let paths: Awaited<ReturnType<typeof startBothPaths>>
let up: FakeUpstream
let fixed: Server
let fixedUrl = ''

// The exact bytes of a stream, split oddly on purpose: a gateway that re-frames them shows.
const FIXED = ['data: {"a":1}\n', '\ndata: {"b":', '2}\n\n: note\n\n', 'data: [DONE]\n\n']

const GROUPS = [
  { name: 'fb', channel_type: 'openai', keys: ['sk-fb-slow', 'sk-fb-ok'] },
  { name: 'oi', channel_type: 'openai', keys: ['sk-oi-stall'] },
  {
    name: 'late',
    channel_type: 'openai',
    keys: ['sk-late-stall'],
    config: { stream_idle_timeout: 1 },
  },
  { name: 'or', channel_type: 'openai-response', keys: ['sk-or-stall'] },
  { name: 'an', channel_type: 'anthropic', keys: ['sk-an-stall'] },
  { name: 'ge', channel_type: 'gemini', keys: ['AIzaSy-ge-stall-0123456789'] },
  { name: 'cut', channel_type: 'openai', keys: ['sk-cut-mid'] },
  { name: 'gecut', channel_type: 'gemini', keys: ['AIzaSy-gecut-0123456789'] },
  { name: 'ok', channel_type: 'openai', keys: ['sk-ok-1'] },
  { name: 'agslow', channel_type: 'openai', keys: ['sk-ag-slow'] },
  { name: 'agok', channel_type: 'openai', keys: ['sk-ag-ok'] },
]

beforeAll(async () => {
  up = await startFakeUpstream({
    behaviours: {
      'sk-fb-slow': { firstFrameDelayMs: 2500 },
      'sk-ag-slow': { firstFrameDelayMs: 2500 },
      'sk-oi-stall': { stallAfterEvents: 2 },
      'sk-late-stall': { firstFrameDelayMs: 1500, stallAfterEvents: 2 },
      'sk-or-stall': { stallAfterEvents: 2 },
      'sk-an-stall': { stallAfterEvents: 2 },
      'AIzaSy-ge-stall-0123456789': { stallAfterEvents: 2 },
      'sk-cut-mid': { dropAfterEvents: 2, dropMidEvent: true, eventDelayMs: 20 },
      'AIzaSy-gecut-0123456789': { dropAfterEvents: 2, eventDelayMs: 20 },
    },
  })
  fixed = createServer(async (req, res) => {
    req.resume()
    res.writeHead(200, { 'content-type': 'text/event-stream', 'x-upstream': 'fixed' })
    for (const part of FIXED) {
      res.write(part)
      await new Promise((r) => setTimeout(r, 30))
    }
    res.end()
  })
  await new Promise<void>((r) => fixed.listen(0, '127.0.0.1', r))
  fixedUrl = `http://127.0.0.1:${(fixed.address() as AddressInfo).port}`
  paths = await startBothPaths()
  const config = { first_byte_timeout: 1, stream_idle_timeout: 1, max_retries: 1 }
  await paths.createGroups(
    GROUPS.map((g) => ({ config, ...g, url: g.name === 'ok' ? fixedUrl : up.url })),
  )
  // An aggregate whose heavier member is slow: it is picked first, then the other one.
  for (const g of Object.values(paths.gateways)) {
    const agg = await g.admin<{ data: { id: number } }>('POST', '/api/groups', {
      name: 'ag',
      group_type: 'aggregate',
      channel_type: 'openai',
      config: { max_retries: 1 },
    })
    const sub_groups = [
      { group_id: g.ids.agslow, weight: 2 },
      { group_id: g.ids.agok, weight: 1 },
    ]
    await g.admin('POST', `/api/groups/${agg.data.id}/sub-groups`, { sub_groups })
  }
})

afterAll(async () => {
  await paths?.stop()
  await up?.close()
  fixed?.closeAllConnections()
  await new Promise((r) => fixed?.close(r))
})

const auth = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }

const streamChat = (g: PathGateway, group: string, path = '/v1/chat/completions') =>
  g.request(`/proxy/${group}${path}`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [] }),
  })

const lastRow = async (g: PathGateway, group: string) => {
  let row: Log | undefined
  await eventually(async () => {
    const r = await g.admin<{ data: { items: Log[] } }>('GET', `/api/logs?group_name=${group}`)
    row = r.data.items.find((l) => l.request_type === 'final')
    expect(row).toBeDefined()
  }, 4000)
  return row!
}

/** The events of an SSE text, each without its blank line. */
const eventsOf = (text: string) => text.split(/\r?\n\r?\n/).filter((e) => e.trim() !== '')

describe.each(['Node fast path', 'Web fetch path'])('%s', (name) => {
  const gw = () => paths.gateways[name]!

  it('fails a late first byte over to the next key, charging the slow key nothing', async () => {
    const from = up.requests.length
    const started = Date.now()
    const res = await streamChat(gw(), 'fb')
    expect(res.status).toBe(200)
    const text = await res.text()
    const took = Date.now() - started
    expect(up.requests.slice(from).map((r) => r.credential)).toEqual(['sk-fb-slow', 'sk-fb-ok'])
    // B's whole stream, and nothing of A's (A never sent a byte).
    expect(eventsOf(text).filter((e) => e.includes('"content":"tok'))).toHaveLength(5)
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true)
    expect(took).toBeGreaterThanOrEqual(950)
    expect(took).toBeLessThan(2400)
    const rows = await gw().admin<{ data: { items: Log[] } }>('GET', '/api/logs?group_name=fb')
    const retry = rows.data.items.find((l) => l.request_type === 'retry')
    expect(retry).toMatchObject({ status_code: 504, error_message: 'no first byte within 1 s' })
    expect(retry!.key_masked).not.toBe('sk-fb-slow')
    const keys = await gw().admin<{ data: { items: Array<Record<string, unknown>> } }>(
      'GET',
      `/api/keys?group_id=${gw().ids.fb}&reveal=true&page_size=100`,
    )
    const slow = keys.data.items.find((k) => k.key_value === 'sk-fb-slow')
    expect(slow).toMatchObject({ status: 'active', failure_count: 0 })
  })

  it('fails a late first byte over to another member of an aggregate', async () => {
    const from = up.requests.length
    const text = await (await streamChat(gw(), 'ag')).text()
    expect(up.requests.slice(from).map((r) => r.credential)).toEqual(['sk-ag-slow', 'sk-ag-ok'])
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true)
    const rows = await gw().admin<{ data: { items: Log[] } }>('GET', '/api/logs?group_name=agslow')
    expect(rows.data.items[0]).toMatchObject({
      request_type: 'retry',
      error_message: 'no first byte within 1 s',
    })
  })

  it('ends a silent OpenAI chat stream with an error event, logged as idle', async () => {
    const res = await streamChat(gw(), 'oi')
    expect(res.status).toBe(200)
    const events = eventsOf(await res.text())
    expect(events).toHaveLength(3)
    expect(JSON.parse(events[2]!.slice('data: '.length))).toEqual({
      error: { message: 'stream idle for 1 s', type: 'server_error', code: 'BAD_GATEWAY' },
    })
    const row = await lastRow(gw(), 'oi')
    expect(row).toMatchObject({ is_success: false, error_message: 'stream idle for 1 s' })
  })

  it('times silence from the first byte when first_byte_timeout is off', async () => {
    const started = Date.now()
    const events = eventsOf(await (await streamChat(gw(), 'late')).text())
    // 1.5 s before the first byte is no idle time; 1 s after the second event is.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2400)
    expect(events).toHaveLength(3)
    expect(events[2]).toContain('stream idle for 1 s')
  })

  it('ends a silent Responses API stream with its own error event', async () => {
    const res = await streamChat(gw(), 'or', '/v1/responses')
    const events = eventsOf(await res.text())
    const last = events.at(-1)!
    expect(last.startsWith('event: error\ndata: ')).toBe(true)
    expect(JSON.parse(last.split('\n')[1]!.slice(6))).toEqual({
      type: 'error',
      code: 'BAD_GATEWAY',
      message: 'stream idle for 1 s',
      param: null,
    })
    expect((await lastRow(gw(), 'or')).error_message).toBe('stream idle for 1 s')
  })

  it('ends a silent Anthropic stream with an `event: error`', async () => {
    const res = await gw().request('/proxy/an/v1/messages', {
      method: 'POST',
      headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude', max_tokens: 5, stream: true, messages: [] }),
    })
    const events = eventsOf(await res.text())
    expect(events[0]).toContain('event: message_start')
    const last = events.at(-1)!
    expect(last.split('\n')[0]).toBe('event: error')
    expect(JSON.parse(last.split('\n')[1]!.slice(6))).toMatchObject({
      type: 'error',
      error: { type: 'timeout_error', message: 'stream idle for 1 s' },
    })
    expect((await lastRow(gw(), 'an')).error_message).toBe('stream idle for 1 s')
  })

  it('ends a silent Gemini SSE stream with its error JSON, and logs no key', async () => {
    const res = await gw().request(
      `/proxy/ge/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse&key=${ADMIN_KEY}`,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' },
    )
    const events = eventsOf(await res.text())
    expect(events).toHaveLength(3)
    expect(JSON.parse(events[2]!.slice(6))).toMatchObject({
      error: { code: 504, message: 'stream idle for 1 s', status: 'DEADLINE_EXCEEDED' },
    })
    const row = await lastRow(gw(), 'ge')
    expect(row.error_message).toBe('stream idle for 1 s')
    expect(JSON.stringify(row)).not.toContain('AIzaSy-ge-stall-0123456789')
  })

  it('fails a silent non-SSE stream (Gemini JSON array) instead of closing it cleanly', async () => {
    const res = await gw().request(
      `/proxy/ge/v1beta/models/gemini-2.0-flash:streamGenerateContent?key=${ADMIN_KEY}`,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' },
    )
    expect(res.status).toBe(200)
    await expect(res.text()).rejects.toThrow()
  })

  it('terminates an event cut mid-way, then sends the error event', async () => {
    const res = await streamChat(gw(), 'cut')
    const text = await res.text()
    const events = eventsOf(text)
    // Two whole chunks, the half one (ended by a blank line), then the error on its own.
    expect(events).toHaveLength(4)
    expect(() => JSON.parse(events[2]!.slice(6))).toThrow()
    const error = JSON.parse(events[3]!.slice(6)) as { error: { message: string; code: string } }
    expect(error.error.message).toMatch(/^upstream cut the stream: /)
    expect(error.error.code).toBe('BAD_GATEWAY')
    expect(text.endsWith('\n\n')).toBe(true)
    const row = await lastRow(gw(), 'cut')
    expect(row.error_message).toMatch(/^upstream cut the stream: /)
    expect(row.error_message).not.toContain('sk-cut-mid')
  })

  it('adds no blank line when the cut falls between events (Gemini, CRLF framing)', async () => {
    const res = await gw().request(
      `/proxy/gecut/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse&key=${ADMIN_KEY}`,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' },
    )
    const text = await res.text()
    const at = text.indexOf('data: {"error"')
    expect(text.slice(at - 5, at)).toBe('}\r\n\r\n')
    const error = JSON.parse(text.slice(at + 6)) as { error: Record<string, unknown> }
    expect(error.error).toMatchObject({ code: 502, status: 'UNAVAILABLE' })
    expect(String(error.error.message)).toMatch(/^upstream cut the stream: /)
    expect(text).not.toContain('AIzaSy-gecut')
  })

  it('passes a normal stream through byte for byte, with the deadlines on', async () => {
    const res = await streamChat(gw(), 'ok')
    expect(res.headers.get('x-upstream')).toBe('fixed')
    expect(await res.text()).toBe(FIXED.join(''))
    const row = await lastRow(gw(), 'ok')
    expect(row).toMatchObject({ status_code: 200, is_success: true, error_message: '' })
  })
})
