// The official OpenAI, Anthropic and Google GenAI SDKs pointed at the real gateway with a proxy
// key: plain and streamed calls, the group's upstream key in the provider's place, never ours.
import Anthropic from '@anthropic-ai/sdk'
import { GoogleGenAI } from '@google/genai'
import OpenAI from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startFakeUpstream, type FakeUpstream, type RecordedRequest } from './helpers/fake-upstream'
import { ADMIN_KEY, startTestGateway, type TestGateway } from './helpers/gateway'

let up: FakeUpstream
let t: TestGateway

// The fake's text for 5 events (see toParts in helpers/fake-wire.ts).
const TEXT = 'tok0 tok1 tok2 tok3 tok4 '

/** The requests the fake received, with proof that our proxy key never reached it. */
const seen = (): RecordedRequest[] => {
  for (const r of up.requests) {
    expect(JSON.stringify(r.headers)).not.toContain(ADMIN_KEY)
    expect(JSON.stringify(r.query)).not.toContain(ADMIN_KEY)
    expect(r.body).not.toContain(ADMIN_KEY)
  }
  return up.requests
}

beforeAll(async () => {
  up = await startFakeUpstream()
  t = await startTestGateway()
  const upstreams = [{ url: up.url, weight: 1 }]
  await t.createGroup({ name: 'oa', upstreams }, ['sk-oa-sdk'])
  await t.createGroup(
    { name: 'an', channel_type: 'anthropic', test_model: 'claude-3-5-haiku-latest', upstreams },
    ['sk-ant-sdk'],
  )
  await t.createGroup(
    { name: 'gm', channel_type: 'gemini', test_model: 'gemini-2.0-flash', upstreams },
    ['AIza-gm-sdk'],
  )
})

afterAll(async () => {
  await t?.stop()
  await up?.close()
})

beforeEach(() => {
  up.requests.length = 0
})

describe('openai SDK', () => {
  const client = () =>
    new OpenAI({ apiKey: ADMIN_KEY, baseURL: `${t.url}/proxy/oa/v1`, maxRetries: 0 })

  it('chat.completions.create through the gateway with the upstream key as Bearer', async () => {
    const r = await client().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
    })
    expect(r.object).toBe('chat.completion')
    expect(r.choices[0].message.content).toBe(TEXT)
    const [req] = seen()
    expect(seen().length).toBe(1)
    expect(req.path).toBe('/v1/chat/completions')
    expect(req.headers['user-agent']).toMatch(/^OpenAI\/JS 6\./)
    expect(req.headers.authorization).toBe('Bearer sk-oa-sdk')
    expect(JSON.parse(req.body).model).toBe('gpt-4o-mini')
  })

  it('streams chat completion chunks', async () => {
    const stream = await client().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    })
    let chunks = 0
    let text = ''
    for await (const chunk of stream) {
      chunks++
      text += chunk.choices[0]?.delta?.content ?? ''
    }
    expect(chunks).toBeGreaterThanOrEqual(2)
    expect(text).toBe(TEXT)
    const [req] = seen()
    expect(req.credential).toBe('sk-oa-sdk')
    expect(JSON.parse(req.body).stream).toBe(true)
  })
})

describe('@anthropic-ai/sdk', () => {
  // 1.x sends apiKey as `Authorization: Bearer`; the gateway accepts it and the channel moves
  // the upstream key to x-api-key.
  const client = () =>
    new Anthropic({ apiKey: ADMIN_KEY, baseURL: `${t.url}/proxy/an`, maxRetries: 0 })
  const params = {
    model: 'claude-3-5-haiku-latest',
    max_tokens: 16,
    messages: [{ role: 'user' as const, content: 'hi' }],
  }

  const expectAnthropicUpstream = (req: RecordedRequest) => {
    expect(req.path).toBe('/v1/messages')
    expect(req.headers['user-agent']).toMatch(/^Anthropic\/JS 1\./)
    expect(req.headers['x-api-key']).toBe('sk-ant-sdk')
    expect(req.headers.authorization).toBeUndefined()
    expect(req.headers['anthropic-version']).toBe('2023-06-01')
  }

  it('messages.create', async () => {
    const msg = await client().messages.create(params)
    expect(msg.type).toBe('message')
    expect(msg.content[0]).toMatchObject({ type: 'text', text: TEXT })
    expect(seen().length).toBe(1)
    expectAnthropicUpstream(up.requests[0])
  })

  it('messages.stream collects text deltas and the final message', async () => {
    const stream = client().messages.stream(params)
    let deltas = 0
    stream.on('text', () => deltas++)
    const final = await stream.finalMessage()
    expect(deltas).toBeGreaterThanOrEqual(2)
    expect(final.content[0]).toMatchObject({ type: 'text', text: TEXT })
    expect(final.stop_reason).toBe('end_turn')
    expectAnthropicUpstream(seen()[0])
  })

  it('messages.create({ stream: true }) yields raw events', async () => {
    const stream = await client().messages.create({ ...params, stream: true })
    const types: string[] = []
    let text = ''
    for await (const ev of stream) {
      types.push(ev.type)
      if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') text += ev.delta.text
    }
    expect(types[0]).toBe('message_start')
    expect(types.at(-1)).toBe('message_stop')
    expect(text).toBe(TEXT)
    expectAnthropicUpstream(seen()[0])
  })
})

describe('@google/genai', () => {
  const client = () =>
    new GoogleGenAI({ apiKey: ADMIN_KEY, httpOptions: { baseUrl: `${t.url}/proxy/gm` } })

  it('models.generateContent with the upstream key in ?key=', async () => {
    const r = await client().models.generateContent({ model: 'gemini-2.0-flash', contents: 'hi' })
    expect(r.text).toBe(TEXT)
    expect(seen().length).toBe(1)
    const req = up.requests[0]
    expect(req.path).toBe('/v1beta/models/gemini-2.0-flash:generateContent')
    expect(req.headers['x-goog-api-client']).toMatch(/google-genai-sdk\//)
    expect(req.credential).toBe('AIza-gm-sdk')
    expect(req.query.key).toBe('AIza-gm-sdk')
    // The SDK's own x-goog-api-key header (our proxy key) must not travel on.
    expect(req.headers['x-goog-api-key']).toBeUndefined()
  })

  it('models.generateContentStream yields chunks', async () => {
    const stream = await client().models.generateContentStream({
      model: 'gemini-2.0-flash',
      contents: 'hi',
    })
    let chunks = 0
    let text = ''
    for await (const chunk of stream) {
      chunks++
      text += chunk.text ?? ''
    }
    expect(chunks).toBeGreaterThanOrEqual(2)
    expect(text).toBe(TEXT)
    const req = seen()[0]
    expect(req.path).toBe('/v1beta/models/gemini-2.0-flash:streamGenerateContent')
    expect(req.query).toEqual({ alt: 'sse', key: 'AIza-gm-sdk' })
  })
})
