// The fake upstream speaks the real wire formats: the official SDKs parse its replies and errors.
import Anthropic from '@anthropic-ai/sdk'
import { GoogleGenAI } from '@google/genai'
import OpenAI from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { FakeUpstream } from './helpers/fake-upstream'
import { startFakeUpstream } from './helpers/fake-upstream'

let up: FakeUpstream
const TEXT = 'tok0 tok1 tok2 '

beforeAll(async () => {
  up = await startFakeUpstream({
    behaviours: {
      default: { events: 3 },
      'sk-bad': { status: 401 },
      'sk-limited': { status: 429, headers: { 'retry-after': '2' } },
      'sk-5xx': { status: 500 },
      'sk-slow': { delayMs: 300 },
      'sk-drop': { destroy: true },
    },
  })
})
afterAll(() => up.close())
beforeEach(() => {
  up.requests.length = 0
})

const openai = (apiKey: string, path = '/v1') =>
  new OpenAI({ apiKey, baseURL: up.url + path, maxRetries: 0, timeout: 5000 })

describe('OpenAI', () => {
  it('answers chat completions as JSON and records the request', async () => {
    const res = await openai('sk-good').chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
    })
    expect(res.choices[0].message.content).toBe(TEXT)
    expect(res.model).toBe('gpt-4o-mini')
    expect(up.requests[0]).toMatchObject({ method: 'POST', path: '/v1/chat/completions' })
    expect(up.requests[0].credential).toBe('sk-good')
    expect(JSON.parse(up.requests[0].body).messages[0].content).toBe('hi')
  })

  it('streams chat completion chunks, usage and [DONE]', async () => {
    const stream = await openai('sk-good').chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    })
    let text = ''
    let usage = 0
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? ''
      usage = chunk.usage?.completion_tokens ?? usage
    }
    expect(text).toBe(TEXT)
    expect(usage).toBe(3)
  })

  it('answers the Responses API, streamed and not', async () => {
    const client = openai('sk-good')
    const res = await client.responses.create({ model: 'gpt-4.1', input: 'hi' })
    expect(res.output_text).toBe(TEXT)
    const stream = await client.responses.create({ model: 'gpt-4.1', input: 'hi', stream: true })
    const types: string[] = []
    let text = ''
    for await (const ev of stream) {
      types.push(ev.type)
      if (ev.type === 'response.output_text.delta') text += ev.delta
    }
    expect(text).toBe(TEXT)
    expect(types.at(-1)).toBe('response.completed')
  })

  it('lists models', async () => {
    const page = await openai('sk-good').models.list()
    expect(page.data.map((m) => m.id)).toContain('gpt-4o-mini')
  })

  it('gives real error shapes, statuses and headers per key', async () => {
    const call = (key: string) =>
      openai(key)
        .chat.completions.create({ model: 'm', messages: [] })
        .catch((e) => e)
    const bad = await call('sk-bad')
    expect(bad).toBeInstanceOf(OpenAI.AuthenticationError)
    expect(bad.code).toBe('invalid_api_key')
    const limited = await call('sk-limited')
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError)
    expect(limited.headers.get('retry-after')).toBe('2')
    expect(await call('sk-5xx')).toBeInstanceOf(OpenAI.InternalServerError)
    expect(await call('sk-drop')).toBeInstanceOf(OpenAI.APIConnectionError)
  })

  it('delays slow keys and counts frames per behaviour', async () => {
    const started = Date.now()
    await openai('sk-slow').models.list()
    expect(Date.now() - started).toBeGreaterThanOrEqual(290)
    up.setBehaviour({ 'sk-many': { events: 20 } })
    const res = await openai('sk-many').chat.completions.create({ model: 'm', messages: [] })
    expect(res.choices[0].message.content?.split(' ').length).toBe(21)
  })
})

describe('Anthropic', () => {
  const client = (apiKey: string) =>
    new Anthropic({ apiKey, baseURL: up.url, maxRetries: 0, timeout: 5000 })

  it('answers messages as JSON and as named SSE events', async () => {
    const params = { model: 'claude-3-5-haiku-latest', max_tokens: 10, messages: [] }
    const res = await client('sk-ant').messages.create(params)
    expect(res.content[0]).toMatchObject({ type: 'text', text: TEXT })
    const types: string[] = []
    let text = ''
    for await (const ev of await client('sk-ant').messages.create({ ...params, stream: true })) {
      types.push(ev.type)
      if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') text += ev.delta.text
    }
    expect(text).toBe(TEXT)
    expect(types[0]).toBe('message_start')
    expect(types.at(-1)).toBe('message_stop')
  })

  it('reads x-api-key and answers bad keys with authentication_error', async () => {
    const res = await fetch(`${up.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'sk-bad', 'anthropic-version': '2023-06-01' },
      body: '{}',
    })
    expect(res.status).toBe(401)
    expect(await res.json()).toMatchObject({
      type: 'error',
      error: { type: 'authentication_error' },
    })
    expect(up.requests[0].credential).toBe('sk-bad')
  })
})

describe('Gemini', () => {
  const client = (apiKey: string) => new GoogleGenAI({ apiKey, httpOptions: { baseUrl: up.url } })
  const req = { model: 'gemini-2.0-flash', contents: 'hi' }

  it('answers generateContent and streamGenerateContent?alt=sse', async () => {
    const res = await client('AIza-good').models.generateContent(req)
    expect(res.text).toBe(TEXT)
    let text = ''
    for await (const chunk of await client('AIza-good').models.generateContentStream(req)) {
      text += chunk.text ?? ''
    }
    expect(text).toBe(TEXT)
    expect(up.requests[1].path).toBe('/v1beta/models/gemini-2.0-flash:streamGenerateContent')
    expect(up.requests[1].query.alt).toBe('sse')
  })

  it('reads ?key= and answers bad keys with 400 API_KEY_INVALID', async () => {
    const res = await fetch(`${up.url}/v1beta/models/gemini-2.0-flash:generateContent?key=sk-bad`, {
      method: 'POST',
      body: '{}',
    })
    expect(res.status).toBe(400)
    const body = await res.json()
    expect(body.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' })
    expect(body.error.details[0].reason).toBe('API_KEY_INVALID')
    expect(up.requests[0].credential).toBe('sk-bad')
  })

  it('lists models and serves the OpenAI-compatible endpoint', async () => {
    const res = await fetch(`${up.url}/v1beta/models`, { headers: { 'x-goog-api-key': 'k' } })
    expect((await res.json()).models[0].name).toBe('models/gemini-2.0-flash')
    const compat = await openai('AIza-good', '/v1beta/openai').chat.completions.create({
      model: 'gemini-2.0-flash',
      messages: [],
    })
    expect(compat.choices[0].message.content).toBe(TEXT)
  })
})
