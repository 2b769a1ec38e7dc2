// When every usable key is cooling after rate limits, the gateway answers 429 with Retry-After
// set to the earliest reset, in the channel's error shape, and its log row says so; an upstream
// 429 is passed through as the upstream sent it. Gemini's reset comes from the 429 body.
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
  t.createGroup(
    {
      name,
      channel_type,
      upstreams: [{ url: up.url, weight: 1 }],
      test_model: channel_type === 'gemini' ? 'gemini-2.0-flash' : undefined,
    },
    keys,
  )

const call = (path: string) =>
  t.app.request(path, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_AUTH_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [], contents: [] }),
  })

const lastLog = async () => {
  await t.core.logs.flush()
  return (await t.deps.store.queryLogs({ page: 1, page_size: 1 })).items[0]
}

describe('a pool whose keys are all cooling', () => {
  it('passes the upstream 429 through, then answers 429 with the earliest reset itself', async () => {
    const [A, B] = ['sk-cool-a-0123456789', 'sk-cool-b-0123456789']
    await group('cool', 'openai', [A, B])
    up.setBehaviour({
      [A]: { status: 429, headers: { 'x-ratelimit-reset-requests': '20s' } },
      [B]: { status: 429, headers: { 'x-ratelimit-reset-requests': '1m30s' } },
    })
    const first = await call('/proxy/cool/v1/chat/completions')
    expect(first.status).toBe(429)
    expect(((await first.json()) as { error: { code: string } }).error.code).toBe(
      'rate_limit_exceeded',
    )
    expect((await lastLog()).error_message).toMatch(/Rate limit reached/)

    const before = up.requests.length
    clock += 5000
    const second = await call('/proxy/cool/v1/chat/completions')
    expect(up.requests.length).toBe(before) // no key was sent anywhere
    expect(second.status).toBe(429)
    expect(second.headers.get('retry-after')).toBe('15')
    const err = (
      (await second.json()) as { error: { type: string; code: string; message: string } }
    ).error
    expect(err).toMatchObject({ type: 'rate_limit_error', code: 'KEYS_COOLING' })
    expect(err.message).toMatch(/cooling down.*15 s/)
    const row = await lastLog()
    expect(row).toMatchObject({
      status_code: 429,
      error_message: 'every usable key is cooling down',
    })

    // The earliest key is back at its reset, and serves.
    up.setBehaviour({ [A]: null })
    clock += 15_000
    expect((await call('/proxy/cool/v1/chat/completions')).status).toBe(200)
  })

  it('cools a Gemini key until the RetryInfo in its 429 body', async () => {
    const G = 'AIza-cool-gemini-0123456789'
    await group('gcool', 'gemini', [G])
    up.setBehaviour({ [G]: { status: 429 } }) // the fake sends RetryInfo 43s, as Google does
    const path = '/proxy/gcool/v1beta/models/gemini-2.0-flash:generateContent'
    expect((await call(path)).status).toBe(429)
    const again = await call(path)
    expect(again.status).toBe(429)
    expect(again.headers.get('retry-after')).toBe('43')
    const body = (await again.json()) as { error: { status: string; message: string } }
    expect(body.error.status).toBe('RESOURCE_EXHAUSTED')
    expect(body.error.message).toMatch(/cooling down/)
  })

  it('still answers 503 when the group has no usable key at all', async () => {
    const id = await group('none', 'openai', ['sk-none-0123456789'])
    await t.api('PUT', '/api/keys/status', {
      group_id: id,
      keys_text: 'sk-none-0123456789',
      enabled: false,
    })
    clock += 1000 // so its log row is the newest
    const r = await call('/proxy/none/v1/chat/completions')
    expect(r.status).toBe(503)
    expect((await lastLog()).error_message).toBe('no usable key')
  })
})
