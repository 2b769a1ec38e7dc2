// Streams through the real gateway: chunks arrive as the upstream sends them, content-type is
// untouched, and a client that leaves cancels the upstream request.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream'
import { ADMIN_KEY, startTestGateway, type TestGateway } from './helpers/gateway'
import { eventually, until } from './helpers/wait'

let up: FakeUpstream
let t: TestGateway
let gate: Server
let gateUrl = ''
const gateEvents: string[] = []

const post = (path: string, body: unknown, signal?: AbortSignal) =>
  fetch(`${t.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  })

beforeAll(async () => {
  up = await startFakeUpstream({ behaviours: { default: { events: 4, eventDelayMs: 300 } } })
  // An upstream that sends one event, then waits to be told (or to be disconnected).
  gate = createServer((req, res) => {
    req.resume()
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.write('data: {"n":1}\n\n')
    gateEvents.push('sent-1')
    const timer = setInterval(() => res.write('data: {"tick":1}\n\n'), 100)
    res.on('close', () => {
      clearInterval(timer)
      gateEvents.push('closed')
    })
  })
  await new Promise<void>((r) => gate.listen(0, '127.0.0.1', r))
  gateUrl = `http://127.0.0.1:${(gate.address() as AddressInfo).port}`
  t = await startTestGateway()
  await t.admin('PUT', '/api/settings', { request_log_write_interval_minutes: 0 })
  await t.createGroup({ name: 'st', upstreams: [{ url: up.url, weight: 1 }] }, ['sk-st-1'])
  await t.createGroup(
    { name: 'an', channel_type: 'anthropic', upstreams: [{ url: up.url, weight: 1 }] },
    ['sk-an-1'],
  )
  await t.createGroup({ name: 'gate', upstreams: [{ url: gateUrl, weight: 1 }] }, ['sk-gate-1'])
  await t.createGroup({ name: 'drop', upstreams: [{ url: up.url, weight: 1 }] }, ['sk-drop-1'])
  up.setBehaviour({ 'sk-drop-1': { dropAfterEvents: 2, eventDelayMs: 10 } })
})

afterAll(async () => {
  await t?.stop()
  await up?.close()
  gate?.closeAllConnections()
  await new Promise((r) => gate?.close(r))
})

describe('streaming', () => {
  it('delivers the first event before the upstream sends the next one', async () => {
    const started = Date.now()
    const res = await post('/proxy/st/v1/chat/completions', {
      model: 'gpt-4o-mini',
      stream: true,
      messages: [],
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const reader = res.body!.getReader()
    const dec = new TextDecoder()
    const first = await reader.read()
    const firstAt = Date.now() - started
    expect(dec.decode(first.value)).toContain('chat.completion.chunk')
    let text = dec.decode(first.value)
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      text += dec.decode(value)
    }
    const endAt = Date.now() - started
    // The upstream waits 300 ms between events: a buffered proxy would deliver all at once.
    expect(firstAt).toBeLessThan(250)
    expect(endAt - firstAt).toBeGreaterThan(600)
    expect(text).toContain('data: [DONE]')
  })

  it('passes Anthropic event streams through unchanged', async () => {
    const res = await fetch(`${t.url}/proxy/an/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'claude-3-5-haiku-latest',
        max_tokens: 5,
        stream: true,
        messages: [],
      }),
    })
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const text = await res.text()
    expect(text).toContain('event: message_start')
    expect(text).toContain('event: message_stop')
  })

  it('cancels the upstream request when the client aborts, and logs it as 499', async () => {
    const ctrl = new AbortController()
    const res = await post(
      '/proxy/gate/v1/chat/completions',
      { model: 'm', stream: true },
      ctrl.signal,
    )
    const reader = res.body!.getReader()
    const first = await reader.read()
    expect(new TextDecoder().decode(first.value)).toContain('"n":1')
    ctrl.abort()
    await until(() => gateEvents.includes('closed'), 2000, 'the upstream request is closed')
    type Log = { status_code: number; is_stream: boolean }
    await eventually(async () => {
      const rows = (await t.admin<{ data: { items: Log[] } }>('GET', '/api/logs?group_name=gate'))
        .body.data.items
      expect(rows[0]).toMatchObject({ status_code: 499, is_stream: true })
    }, 2000)
  })

  it('logs a stream the upstream breaks mid-way as a failure, not a success', async () => {
    const res = await post('/proxy/drop/v1/chat/completions', { model: 'm', stream: true })
    expect(res.status).toBe(200)
    const text = await res.text().catch(() => 'broken')
    expect(text).not.toContain('[DONE]')
    type Log = { is_success: boolean; error_message: string; status_code: number }
    await eventually(async () => {
      const r = await t.admin<{ data: { items: Log[] } }>('GET', '/api/logs?group_name=drop')
      expect(r.body.data.items[0]).toMatchObject({ is_success: false })
      expect(r.body.data.items[0].error_message).toMatch(/^upstream cut the stream: /)
    })
  })
})
