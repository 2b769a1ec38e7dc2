// The official SDKs read the gateway's in-band error event as an error: a stream that falls
// silent (stream_idle_timeout) or is cut mid-event never passes for a complete answer. The
// Responses API's error is a typed `error` event, which the openai SDK yields rather than throws.
import Anthropic from '@anthropic-ai/sdk'
import { GoogleGenAI } from '@google/genai'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream'
import { ADMIN_KEY, startTestGateway, type TestGateway } from './helpers/gateway'

let up: FakeUpstream
let t: TestGateway

const config = { stream_idle_timeout: 1, max_retries: 0 }

beforeAll(async () => {
  up = await startFakeUpstream({
    behaviours: {
      'sk-oa-stall': { stallAfterEvents: 2 },
      'sk-oa-cut': { dropAfterEvents: 2, dropMidEvent: true, eventDelayMs: 20 },
      'sk-or-stall': { stallAfterEvents: 4 },
      'sk-an-stall': { stallAfterEvents: 4 },
      'AIza-gm-stall': { stallAfterEvents: 2 },
    },
  })
  t = await startTestGateway()
  const upstreams = [{ url: up.url, weight: 1 }]
  const group = (name: string, channel_type: string, key: string) =>
    t.createGroup({ name, channel_type, test_model: 'm', upstreams, config }, [key])
  await group('oa', 'openai', 'sk-oa-stall')
  await group('oacut', 'openai', 'sk-oa-cut')
  await group('or', 'openai-response', 'sk-or-stall')
  await group('an', 'anthropic', 'sk-an-stall')
  await group('gm', 'gemini', 'AIza-gm-stall')
})

afterAll(async () => {
  await t?.stop()
  await up?.close()
})

/** Iterates a stream to its end; returns how many items came and the error it ended with. */
const drain = async (stream: AsyncIterable<unknown>) => {
  let items = 0
  try {
    for await (const _ of stream) items++
  } catch (err) {
    return { items, error: err as Error }
  }
  return { items, error: null }
}

const openai = (group: string) =>
  new OpenAI({ apiKey: ADMIN_KEY, baseURL: `${t.url}/proxy/${group}/v1`, maxRetries: 0 })

describe('official SDKs on a broken stream', () => {
  it('openai: chat.completions stream throws the idle error', async () => {
    const stream = await openai('oa').chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    })
    const { items, error } = await drain(stream)
    expect(items).toBe(2)
    expect(error?.message).toContain('stream idle for 1 s')
  })

  it('openai: a chat stream cut mid-event throws, never ends quietly', async () => {
    const stream = await openai('oacut').chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    })
    const { error } = await drain(stream)
    expect(error).not.toBeNull()
  })

  it('openai: a responses stream ends with its typed error event', async () => {
    const stream = await openai('or').responses.create({
      model: 'gpt-4o-mini',
      input: 'hi',
      stream: true,
    })
    // The SDK yields the Responses API's `error` event as a typed event, as OpenAI sends it.
    const events: Array<{ type: string; message?: string }> = []
    for await (const ev of stream) events.push(ev)
    expect(events).toHaveLength(5)
    expect(events.at(-1)).toMatchObject({ type: 'error', message: 'stream idle for 1 s' })
    expect(events.some((e) => e.type === 'response.completed')).toBe(false)
  })

  it('@anthropic-ai/sdk: messages stream throws the idle error', async () => {
    const client = new Anthropic({ apiKey: ADMIN_KEY, baseURL: `${t.url}/proxy/an`, maxRetries: 0 })
    const stream = await client.messages.create({
      model: 'claude-3-5-haiku-latest',
      max_tokens: 16,
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    })
    const { items, error } = await drain(stream)
    expect(items).toBeGreaterThanOrEqual(3)
    expect(error?.message).toContain('stream idle for 1 s')
  })

  it('@google/genai: generateContentStream throws the idle error', async () => {
    const client = new GoogleGenAI({
      apiKey: ADMIN_KEY,
      httpOptions: { baseUrl: `${t.url}/proxy/gm` },
    })
    const stream = await client.models.generateContentStream({
      model: 'gemini-2.0-flash',
      contents: 'hi',
    })
    const { items, error } = await drain(stream)
    expect(items).toBe(2)
    expect(error?.message).toContain('stream idle for 1 s')
  })
})
