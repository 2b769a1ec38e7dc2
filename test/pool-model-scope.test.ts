// A provider's per-model limit cools a key for that model only: the key keeps serving other
// models. OpenAI's `insufficient_quota` is the account's and cools the key for every model. A
// success whose headers say a limit is used up (`remaining` 0) spares the key until the reset, so
// it does not draw the next 429. All through the gateway, with each provider's own signals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, TEST_AUTH_KEY, type TestApp } from './helpers/app'
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream'

let up: FakeUpstream
let t: TestApp
let clock = Date.UTC(2026, 11, 4, 12)

beforeAll(async () => {
  up = await startFakeUpstream()
  t = await createTestApp({ now: () => clock })
})
afterAll(async () => {
  await t.close()
  await up.close()
})

const group = (name: string, channel_type: string, keys: string[]) =>
  t.createGroup({ name, channel_type, upstreams: [{ url: up.url, weight: 1 }] }, keys)

const call = (path: string, model = '') =>
  t.app.request(path, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_AUTH_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] }),
  })

/** The upstream keys that `n` calls reached, in order. */
const keysUsed = async (n: number, path: string, model = '') => {
  const from = up.requests.length
  for (let i = 0; i < n; i++) expect((await call(path, model)).status).toBe(200)
  return up.requests.slice(from).map((r) => r.credential)
}

describe('per-model cooldowns', () => {
  it('OpenAI: a 429 for one model leaves the key serving the others', async () => {
    const [A, B] = ['sk-scope-a-0123456789', 'sk-scope-b-0123456789']
    await group('scope-openai', 'openai', [A, B])
    const path = '/proxy/scope-openai/v1/chat/completions'
    up.setBehaviour({
      [A]: { status: 429, forModel: 'gpt-4o', headers: { 'x-ratelimit-reset-requests': '20s' } },
    })
    // The first gpt-4o call meets A's 429 and is served by B.
    const from = up.requests.length
    expect((await call(path, 'gpt-4o')).status).toBe(200)
    expect(up.requests.slice(from).map((r) => r.credential)).toEqual([A, B])

    expect(new Set(await keysUsed(4, path, 'gpt-4o-mini'))).toEqual(new Set([A, B]))
    expect(await keysUsed(4, path, 'gpt-4o')).toEqual([B, B, B, B])
    clock += 20_000
    up.setBehaviour({ [A]: null })
    expect(new Set(await keysUsed(4, path, 'gpt-4o'))).toEqual(new Set([A, B]))
  })

  it("OpenAI: insufficient_quota is the account's, so the key cools for every model", async () => {
    const [A, B] = ['sk-quota-a-0123456789', 'sk-quota-b-0123456789']
    await group('scope-quota', 'openai', [A, B])
    const path = '/proxy/scope-quota/v1/chat/completions'
    const error = {
      message: 'You exceeded your current quota, please check your plan and billing details.',
      type: 'insufficient_quota',
      param: null,
      code: 'insufficient_quota',
    }
    up.setBehaviour({ [A]: { status: 429, body: { error } } })
    const from = up.requests.length
    expect((await call(path, 'gpt-4o')).status).toBe(200)
    expect(up.requests.slice(from).map((r) => r.credential)).toEqual([A, B])
    expect(await keysUsed(3, path, 'gpt-4o-mini')).toEqual([B, B, B])
    up.setBehaviour({ [A]: null })
  })

  it('Anthropic: every key cooling for one model is a 429 for it, while others serve', async () => {
    const [A, B] = ['sk-ant-scope-a-0123456789', 'sk-ant-scope-b-0123456789']
    await group('scope-anthropic', 'anthropic', [A, B])
    const path = '/proxy/scope-anthropic/v1/messages'
    const reset = new Date(clock + 30_000).toISOString()
    const limited = {
      status: 429,
      forModel: 'claude-opus-4',
      headers: { 'anthropic-ratelimit-requests-reset': reset },
    }
    up.setBehaviour({ [A]: limited, [B]: limited })
    expect((await call(path, 'claude-opus-4')).status).toBe(429)
    const before = up.requests.length
    const cooling = await call(path, 'claude-opus-4')
    expect(up.requests.length).toBe(before)
    expect(cooling.status).toBe(429)
    expect(cooling.headers.get('retry-after')).toBe('30')
    const body = (await cooling.json()) as { error: { type: string; message: string } }
    expect(body.error.message).toMatch(/cooling down/)
    expect(new Set(await keysUsed(4, path, 'claude-haiku-4'))).toEqual(new Set([A, B]))
    up.setBehaviour({ [A]: null, [B]: null })
  })

  it("Gemini: a per-model quota in the 429's QuotaFailure cools that model only", async () => {
    const K = 'AIza-scope-gemini-0123456789'
    await group('scope-gemini', 'gemini', [K])
    const flash = '/proxy/scope-gemini/v1beta/models/gemini-2.0-flash:generateContent'
    const pro = '/proxy/scope-gemini/v1beta/models/gemini-2.5-pro:generateContent'
    up.setBehaviour({ [K]: { status: 429, forModel: 'gemini-2.0-flash' } })
    expect((await call(flash)).status).toBe(429)
    const again = await call(flash)
    expect(again.status).toBe(429)
    expect(again.headers.get('retry-after')).toBe('43')
    expect(await keysUsed(2, pro)).toEqual([K, K])
    up.setBehaviour({ [K]: null })
  })
})

describe('keys whose limit is used up', () => {
  it('OpenAI: remaining 0 spares the key until its reset, before any 429', async () => {
    const [A, B, C] = ['sk-dep-a-0123456789', 'sk-dep-b-0123456789', 'sk-dep-c-0123456789']
    await group('depleted', 'openai', [A, B, C])
    const path = '/proxy/depleted/v1/chat/completions'
    up.setBehaviour({
      [A]: {
        headers: { 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '10s' },
      },
    })
    expect(await keysUsed(1, path, 'gpt-4o')).toEqual([A])
    expect(new Set(await keysUsed(6, path, 'gpt-4o'))).toEqual(new Set([B, C]))
    // Another model's limit is its own.
    expect(new Set(await keysUsed(3, path, 'gpt-4o-mini'))).toEqual(new Set([A, B, C]))
    clock += 10_000
    up.setBehaviour({ [A]: null })
    expect(new Set(await keysUsed(3, path, 'gpt-4o'))).toEqual(new Set([A, B, C]))
  })

  it('Anthropic: a used-up token limit spares the key; a lone key still serves', async () => {
    const [A, B] = ['sk-ant-dep-a-0123456789', 'sk-ant-dep-b-0123456789']
    const id = await group('depleted-ant', 'anthropic', [A, B])
    const path = '/proxy/depleted-ant/v1/messages'
    up.setBehaviour({
      [A]: {
        headers: {
          'anthropic-ratelimit-tokens-remaining': '0',
          'anthropic-ratelimit-tokens-reset': new Date(clock + 60_000).toISOString(),
        },
      },
    })
    expect(await keysUsed(1, path, 'claude-opus-4')).toEqual([A])
    expect(await keysUsed(3, path, 'claude-opus-4')).toEqual([B, B, B])
    // With B gone, the depleted key is still better than no key.
    await t.api('PUT', '/api/keys/status', { group_id: id, keys_text: B, enabled: false })
    expect(await keysUsed(2, path, 'claude-opus-4')).toEqual([A, A])
    up.setBehaviour({ [A]: null })
  })
})
