// Gemini puts the upstream key in `?key=`: it must not surface in answers, request logs,
// validation results or the app log, even when an error text names the whole URL (§8.3 #7).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FetchFn } from '../src/deps'
import { redactUrlKeys } from '../src/secrets/crypto'
import { createTestApp, type TestApp } from './helpers/app'

const KEY = 'AIzaSyUpstreamSecret0123456789abcdef'

// A client library that names the URL in its errors, as Go's net/http does.
const failingFetch: FetchFn = async (url) => {
  throw new Error(`Post "${url.href}": dial tcp: connection refused`)
}

describe('Gemini key redaction', () => {
  let t: TestApp
  let groupId: number

  beforeAll(async () => {
    t = await createTestApp({ fetch: failingFetch })
    const g = await t.api('POST', '/api/groups', {
      name: 'gem',
      channel_type: 'gemini',
      test_model: 'gemini-2.0-flash',
      upstreams: [{ url: 'http://127.0.0.1:9', weight: 1 }],
    })
    groupId = ((await g.json()) as { data: { id: number } }).data.id
    const k = await t.api('POST', '/api/keys/add-multiple', { group_id: groupId, keys_text: KEY })
    expect(k.status).toBe(200)
  })
  afterAll(() => t.close())

  it('masks key= in any text, keeping the rest', () => {
    expect(redactUrlKeys(`GET https://x/v1beta/models?alt=sse&key=${KEY} failed`)).toBe(
      'GET https://x/v1beta/models?alt=sse&key=[redacted] failed',
    )
    expect(redactUrlKeys(`"https://x/m?api_key=${KEY}&b=1"`)).toBe(
      '"https://x/m?api_key=[redacted]&b=1"',
    )
  })

  it('keeps the key out of the proxied answer, the request log and the app log', async () => {
    const r = await t.app.request(
      `/proxy/gem/v1beta/models/gemini-2.0-flash:generateContent?key=${t.authKey}`,
      { method: 'POST', body: JSON.stringify({ contents: [] }) },
    )
    expect(r.status).toBe(502)
    const text = await r.text()
    expect(text).toContain('key=[redacted]')
    expect(text).not.toContain(KEY)
    await t.core.logs.flush()
    const logs = await t.api('GET', '/api/logs')
    const body = await logs.text()
    expect(body).toContain('connection refused')
    expect(body).not.toContain(KEY)
    expect(body).not.toContain(t.authKey)
    expect(JSON.stringify(t.logs)).not.toContain(KEY)
  })

  it('keeps the key out of validation results', async () => {
    const r = await t.api('POST', '/api/keys/test-multiple', { group_id: groupId, keys_text: KEY })
    const body = (await r.json()) as {
      data: { results: Array<{ key_value: string; is_valid: boolean; error: string }> }
    }
    expect(body.data.results[0].is_valid).toBe(false)
    expect(body.data.results[0].error).toContain('connection refused')
    expect(JSON.stringify(body)).not.toContain(KEY)
  })

  it('keeps the key out of the app log when an error reaches it', () => {
    t.core.deps.log('error', `upstream failed: https://g/v1?key=${KEY}`, {
      url: `https://g?key=${KEY}`,
    })
    expect(JSON.stringify(t.logs.at(-1))).not.toContain(KEY)
  })
})
