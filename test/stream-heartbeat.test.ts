// stream_heartbeat_interval through the real gateway, over both upstream paths: keep-alive
// comments while the first byte is awaited, retries behind the same stream, the final error
// in-band, and none of it when the setting is off or the stream is not SSE.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBothPaths } from './helpers/both-paths'
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream'
import { ADMIN_KEY } from './helpers/gateway'

let paths: Awaited<ReturnType<typeof startBothPaths>>
let up: FakeUpstream

const PING = ': keep-alive\n\n'
const HB = { stream_heartbeat_interval: 1, max_retries: 1 }

beforeAll(async () => {
  up = await startFakeUpstream({
    behaviours: {
      'sk-hb-late': { firstFrameDelayMs: 2500 },
      'sk-hb-later': { firstFrameDelayMs: 4000 },
      'sk-off-late': { firstFrameDelayMs: 1500 },
      'AIzaSy-hb-late-0123456789': { firstFrameDelayMs: 1500 },
    },
  })
  paths = await startBothPaths()
  const openai = { channel_type: 'openai', url: up.url }
  await paths.createGroups([
    { ...openai, name: 'hb', keys: ['sk-hb-late'], config: HB },
    {
      ...openai,
      name: 'hbfo',
      keys: ['sk-hb-later', 'sk-hb-ok'],
      config: { ...HB, first_byte_timeout: 2 },
    },
    {
      ...openai,
      name: 'hbfail',
      keys: ['sk-hb-later'],
      config: { ...HB, first_byte_timeout: 2, max_retries: 0 },
    },
    { ...openai, name: 'off', keys: ['sk-off-late'], config: { stream_heartbeat_interval: 0 } },
    {
      channel_type: 'gemini',
      url: up.url,
      name: 'gehb',
      keys: ['AIzaSy-hb-late-0123456789'],
      config: HB,
    },
  ])
})

afterAll(async () => {
  await paths?.stop()
  await up?.close()
})

const body = JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [] })
const headers = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }

describe.each(['Node fast path', 'Web fetch path'])('%s', (name) => {
  const chat = (group: string) =>
    paths.gateways[name]!.request(`/proxy/${group}/v1/chat/completions`, {
      method: 'POST',
      headers,
      body,
    })

  it('sends SSE headers and keep-alive comments while the first byte is awaited', async () => {
    const started = Date.now()
    const res = await chat('hb')
    expect(Date.now() - started).toBeLessThan(1800)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const text = await res.text()
    expect(text.startsWith(PING + PING)).toBe(true)
    const rest = text.replace(/^(: keep-alive\n\n)+/, '')
    expect(rest).not.toContain('keep-alive')
    expect(rest.startsWith('data: {')).toBe(true)
    expect(rest.endsWith('data: [DONE]\n\n')).toBe(true)
  })

  it('keeps the same stream when the first-byte deadline fails over to another key', async () => {
    const from = up.requests.length
    const text = await (await chat('hbfo')).text()
    expect(up.requests.slice(from).map((r) => r.credential)).toEqual(['sk-hb-later', 'sk-hb-ok'])
    expect(text.startsWith(PING)).toBe(true)
    expect(text.match(/"content":"tok\d /g)).toHaveLength(5)
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true)
  })

  it('ends with the in-band error event when every attempt fails after the headers went out', async () => {
    const res = await chat('hbfail')
    expect(res.status).toBe(200)
    const text = await res.text()
    expect(text.startsWith(PING)).toBe(true)
    const events = text.split('\n\n').filter((e) => e && !e.startsWith(':'))
    expect(events).toHaveLength(1)
    expect(JSON.parse(events[0]!.slice('data: '.length))).toEqual({
      error: { message: 'no first byte within 2 s', type: 'server_error', code: 'BAD_GATEWAY' },
    })
  })

  it('sends no heartbeat when the setting is off', async () => {
    const res = await chat('off')
    expect(res.headers.get('x-request-id')).toMatch(/^req_fake_/)
    const text = await res.text()
    expect(text).not.toContain('keep-alive')
    expect(text.startsWith('data: {')).toBe(true)
  })

  it('sends no heartbeat into a stream that is not SSE (Gemini without alt=sse)', async () => {
    const res = await paths.gateways[name]!.request(
      `/proxy/gehb/v1beta/models/gemini-2.0-flash:streamGenerateContent?key=${ADMIN_KEY}`,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' },
    )
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(JSON.parse(await res.text())).toHaveLength(5)
  })
})
