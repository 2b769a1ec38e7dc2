// Channels: key injection, stream and model detection, error and rate-limit parsing, validation.
import { describe, expect, it } from 'vitest'
import { CHANNEL_TYPES, getChannel } from '../src/channels/index'
import { parseDurationMs, retryAfterAt } from '../src/channels/rate-limit'
import type { Channel } from '../src/channels/types'
import type { Group } from '../src/store/types'
import { groupRow } from './store.fixtures'

const NOW = Date.UTC(2026, 0, 1, 0, 0, 0)

const ch = (type: string): Channel => {
  const c = getChannel(type)
  if (c === null) throw new Error(`no channel ${type}`)
  return c
}

// No test model, so each channel's default applies unless a test sets one.
const group = (patch: Partial<Group> = {}) => groupRow('g', { test_model: '', ...patch })

const inject = (type: string, href: string, init: Record<string, string> = {}) => {
  const url = new URL(href)
  const headers = { ...init }
  ch(type).injectKey(url, headers, 'sk-k')
  return { url: url.href, headers }
}

describe('registry', () => {
  it('lists the four types in a stable order and finds each', () => {
    expect(CHANNEL_TYPES).toEqual(['openai', 'openai-response', 'gemini', 'anthropic'])
    for (const t of CHANNEL_TYPES) expect(getChannel(t)?.type).toBe(t)
  })

  it('returns null for unknown types, including prototype names', () => {
    for (const t of ['azure', '', '__proto__', 'constructor', 'toString']) {
      expect(getChannel(t)).toBeNull()
    }
  })

  it('has the v1 defaults', () => {
    const d = CHANNEL_TYPES.map((t) => [ch(t).defaultUpstream, ch(t).defaultTestModel])
    expect(d).toEqual([
      ['https://api.openai.com', 'gpt-4.1-nano'],
      ['https://api.openai.com', 'gpt-4.1-nano'],
      ['https://generativelanguage.googleapis.com', 'gemini-2.0-flash-lite'],
      ['https://api.anthropic.com', 'claude-3-haiku-20240307'],
    ])
  })
})

describe('injectKey', () => {
  it('sets a Bearer key for openai and openai-response, replacing any', () => {
    for (const t of ['openai', 'openai-response']) {
      const r = inject(t, 'https://u/v1/chat/completions?x=1', { authorization: 'Bearer old' })
      expect(r.headers.authorization).toBe('Bearer sk-k')
      expect(r.url).toBe('https://u/v1/chat/completions?x=1')
    }
  })

  it('gemini native: sets ?key=, replaces any, keeps the rest of the query verbatim', () => {
    const r = inject('gemini', 'https://g/v1beta/models/m:streamGenerateContent?alt=sse&key=old')
    expect(r.url).toBe('https://g/v1beta/models/m:streamGenerateContent?alt=sse&key=sk-k')
    expect(r.headers.authorization).toBeUndefined()
    expect(inject('gemini', 'https://g/v1beta/models').url).toBe('https://g/v1beta/models?key=sk-k')
    const odd = inject('gemini', 'https://g/v1/models?a=%20b&key&keyx=1').url
    expect(odd).toBe('https://g/v1/models?a=%20b&keyx=1&key=sk-k')
  })

  it('gemini: escapes a key with URL characters', () => {
    const url = new URL('https://g/v1beta/models/m:generateContent')
    ch('gemini').injectKey(url, {}, 'a&b=c')
    expect(url.searchParams.get('key')).toBe('a&b=c')
  })

  it('gemini OpenAI-compatible path: Bearer, no query key', () => {
    const r = inject('gemini', 'https://g/v1beta/openai/chat/completions')
    expect(r.headers.authorization).toBe('Bearer sk-k')
    expect(r.url).toBe('https://g/v1beta/openai/chat/completions')
  })

  it('anthropic: x-api-key, overwrites anthropic-version, drops authorization', () => {
    const r = inject('anthropic', 'https://a/v1/messages', {
      authorization: 'Bearer client',
      'anthropic-version': '2024-01-01',
      'anthropic-beta': 'x',
    })
    expect(r.headers).toEqual({
      'x-api-key': 'sk-k',
      'anthropic-version': '2023-06-01',
      'anthropic-beta': 'x',
    })
  })
})

describe('isStreamPath and modelOf', () => {
  it('gemini streams by path; the others never do', () => {
    const g = ch('gemini')
    expect(g.isStreamPath('/v1beta/models/gemini-pro:streamGenerateContent')).toBe(true)
    expect(g.isStreamPath('/v1beta/models/gemini-pro:streamGenerateContent?alt=sse')).toBe(true)
    expect(g.isStreamPath('/v1beta/models/gemini-pro:generateContent')).toBe(false)
    for (const t of ['openai', 'openai-response', 'anthropic']) {
      expect(ch(t).isStreamPath('/v1beta/models/m:streamGenerateContent')).toBe(false)
    }
  })

  it('gemini takes the model from the path, else the body', () => {
    const g = ch('gemini')
    expect(g.modelOf('/v1beta/models/gemini-pro:generateContent', 'body')).toBe('gemini-pro')
    expect(g.modelOf('/v1beta/models/gemini-2.0-flash', 'body')).toBe('gemini-2.0-flash')
    expect(g.modelOf('/v1/models/m/operations/x', 'body')).toBe('m')
    expect(g.modelOf('/v1beta/openai/chat/completions', 'gpt')).toBe('gpt')
    expect(g.modelOf('/v1beta/models', 'body')).toBe('body')
    expect(g.modelOf('/v1beta/tunedModels/t:generateContent', 'body')).toBe('body')
  })

  it('the others take the body model', () => {
    for (const t of ['openai', 'openai-response', 'anthropic']) {
      expect(ch(t).modelOf('/v1beta/models/x:generateContent', 'gpt-4o')).toBe('gpt-4o')
    }
  })
})

describe('isInvalidKeyError', () => {
  const openaiBody = JSON.stringify({
    error: {
      message: 'Incorrect API key provided: sk-…',
      type: 'invalid_request_error',
      code: 'invalid_api_key',
    },
  })
  const geminiBody = JSON.stringify({
    error: {
      code: 400,
      message: 'API key not valid. Please pass a valid API key.',
      status: 'INVALID_ARGUMENT',
      details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' }],
    },
  })
  const anthropicBody = JSON.stringify({
    type: 'error',
    error: { type: 'authentication_error', message: 'invalid x-api-key' },
  })
  const plain400 = JSON.stringify({ error: { message: 'max_tokens is too large', code: 400 } })

  it('recognises each provider signature', () => {
    expect(ch('openai').isInvalidKeyError(401, openaiBody)).toBe(true)
    expect(ch('openai').isInvalidKeyError(400, 'Incorrect API key provided')).toBe(true)
    expect(ch('openai-response').isInvalidKeyError(401, openaiBody)).toBe(true)
    expect(ch('gemini').isInvalidKeyError(400, geminiBody)).toBe(true)
    expect(ch('gemini').isInvalidKeyError(400, `[${geminiBody}]`)).toBe(true)
    expect(ch('gemini').isInvalidKeyError(400, '{"error":{"message":"API key expired."}}')).toBe(
      true,
    )
    expect(ch('anthropic').isInvalidKeyError(401, anthropicBody)).toBe(true)
  })

  it('does not flag ordinary client errors, server errors or other providers', () => {
    for (const t of CHANNEL_TYPES) {
      expect(ch(t).isInvalidKeyError(400, plain400)).toBe(false)
      expect(ch(t).isInvalidKeyError(400, '')).toBe(false)
    }
    expect(ch('gemini').isInvalidKeyError(500, geminiBody)).toBe(false)
    expect(ch('openai').isInvalidKeyError(400, geminiBody)).toBe(false)
    expect(ch('anthropic').isInvalidKeyError(400, openaiBody)).toBe(false)
  })
})

describe('rate-limit parsing', () => {
  const h = (init: Record<string, string>) => new Headers(init)

  it('parses Go-style durations', () => {
    expect(parseDurationMs('1s')).toBe(1000)
    expect(parseDurationMs('6m0s')).toBe(360_000)
    expect(parseDurationMs('20ms')).toBe(20)
    expect(parseDurationMs('1h2m3.5s')).toBe(3_723_500)
    expect(parseDurationMs('0')).toBe(0)
    for (const bad of ['', 's', '5', '1x', '1s junk', 'abc'])
      expect(parseDurationMs(bad)).toBeNull()
  })

  it('reads retry-after as seconds or an HTTP date, and retry-after-ms', () => {
    expect(retryAfterAt(h({ 'retry-after': '30' }), NOW)).toBe(NOW + 30_000)
    const date = new Date(NOW + 90_000).toUTCString()
    expect(retryAfterAt(h({ 'retry-after': date }), NOW)).toBe(NOW + 90_000)
    expect(retryAfterAt(h({ 'retry-after-ms': '1500', 'retry-after': '9' }), NOW)).toBe(NOW + 1500)
    const past = new Date(NOW - 5000).toUTCString()
    expect(retryAfterAt(h({ 'retry-after': past }), NOW)).toBe(NOW)
    expect(retryAfterAt(h({ 'retry-after': 'soon' }), NOW)).toBeNull()
    expect(retryAfterAt(h({}), NOW)).toBeNull()
  })

  it('every channel honours retry-after', () => {
    for (const t of CHANNEL_TYPES) {
      expect(ch(t).rateLimitResetAt(h({ 'retry-after': '2' }), NOW)).toBe(NOW + 2000)
      expect(ch(t).rateLimitResetAt(h({}), NOW)).toBeNull()
    }
  })

  it('gemini: RetryInfo and a per-day QuotaFailure in the 429 body, the later one winning', () => {
    const g = ch('gemini')
    const body = (details: unknown[]) =>
      JSON.stringify({
        error: { code: 429, status: 'RESOURCE_EXHAUSTED', message: 'quota', details },
      })
    const retry = (d: string) => ({
      '@type': 'type.googleapis.com/google.rpc.RetryInfo',
      retryDelay: d,
    })
    const quota = (quotaId: string) => ({
      '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
      violations: [
        {
          quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
          quotaId,
        },
      ],
    })
    expect(g.rateLimitResetAt(h({}), NOW, body([retry('43s')]))).toBe(NOW + 43_000)
    expect(g.rateLimitResetAt(h({}), NOW, body([retry('0.5s')]))).toBe(NOW + 500)
    // The OpenAI-compatible endpoint wraps the same error in an array.
    const wrapped = JSON.stringify([JSON.parse(body([retry('7s')]))])
    expect(g.rateLimitResetAt(h({}), NOW, wrapped)).toBe(NOW + 7000)
    // A per-minute quota names no reset of its own; a per-day one resets at midnight Pacific.
    const perMinute = quota('GenerateRequestsPerMinutePerProjectPerModel-FreeTier')
    expect(g.rateLimitResetAt(h({}), NOW, body([perMinute, retry('12s')]))).toBe(NOW + 12_000)
    const at = Date.UTC(2026, 11, 4, 15, 30) // 07:30 PST (UTC-8)
    const perDay = quota('GenerateRequestsPerDayPerProjectPerModel-FreeTier')
    expect(g.rateLimitResetAt(h({}), at, body([perDay, retry('30s')]))).toBe(
      Date.UTC(2026, 11, 5, 8),
    )
    const summer = Date.UTC(2026, 6, 1, 6, 59, 59) // 23:59:59 PDT (UTC-7)
    expect(g.rateLimitResetAt(h({}), summer, body([perDay]))).toBe(Date.UTC(2026, 6, 1, 7))
    // Retry-After still counts, and garbage is no signal.
    expect(g.rateLimitResetAt(h({ 'retry-after': '60' }), NOW, body([retry('5s')]))).toBe(
      NOW + 60_000,
    )
    expect(g.rateLimitResetAt(h({}), NOW, '{"error": {"details": [{"@type": 1}]}}')).toBeNull()
    expect(g.rateLimitResetAt(h({}), NOW, body([retry('soon')]))).toBeNull()
    expect(g.rateLimitResetAt(h({}), NOW, 'not json @type')).toBeNull()
  })

  it('openai: the later of the request and token resets', () => {
    const o = ch('openai')
    const both = h({ 'x-ratelimit-reset-requests': '1s', 'x-ratelimit-reset-tokens': '6m0s' })
    expect(o.rateLimitResetAt(both, NOW)).toBe(NOW + 360_000)
    expect(o.rateLimitResetAt(h({ 'x-ratelimit-reset-tokens': '20ms' }), NOW)).toBe(NOW + 20)
    expect(o.rateLimitResetAt(h({ 'x-ratelimit-reset-requests': 'bad' }), NOW)).toBeNull()
    expect(ch('openai-response').rateLimitResetAt(both, NOW)).toBe(NOW + 360_000)
  })

  it('anthropic: the latest RFC 3339 reset', () => {
    const a = ch('anthropic')
    const at = (ms: number) => new Date(NOW + ms).toISOString()
    const hs = h({
      'anthropic-ratelimit-requests-reset': at(10_000),
      'anthropic-ratelimit-tokens-reset': at(40_000),
    })
    expect(a.rateLimitResetAt(hs, NOW)).toBe(NOW + 40_000)
    const off = h({ 'anthropic-ratelimit-requests-reset': '2026-01-01T01:00:05+01:00' })
    expect(a.rateLimitResetAt(off, NOW)).toBe(NOW + 5000)
    expect(a.rateLimitResetAt(h({ 'anthropic-ratelimit-tokens-reset': 'x' }), NOW)).toBeNull()
  })

  it('tells a per-model limit from an account-wide one', () => {
    const openaiQuota = JSON.stringify({
      error: { type: 'insufficient_quota', code: 'insufficient_quota' },
    })
    expect(ch('openai').rateLimitPerModel('{"error":{"code":"rate_limit_exceeded"}}')).toBe(true)
    expect(ch('openai').rateLimitPerModel(openaiQuota)).toBe(false)
    expect(ch('openai-response').rateLimitPerModel(openaiQuota)).toBe(false)
    expect(ch('anthropic').rateLimitPerModel('{"type":"error"}')).toBe(true)
    const violation = (v: object) =>
      JSON.stringify({
        error: {
          code: 429,
          details: [{ '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [v] }],
        },
      })
    const g = ch('gemini')
    expect(
      g.rateLimitPerModel(violation({ quotaId: 'GenerateRequestsPerMinutePerProjectPerModel' })),
    ).toBe(true)
    expect(g.rateLimitPerModel(violation({ quotaId: 'X', quotaDimensions: { model: 'm' } }))).toBe(
      true,
    )
    expect(g.rateLimitPerModel(violation({ quotaId: 'RequestsPerDayPerProject' }))).toBe(false)
    expect(g.rateLimitPerModel('{"error":{"code":429}}')).toBe(true)
  })

  it('reads a used-up limit (remaining 0) and when it resets', () => {
    const o = ch('openai')
    expect(
      o.depletedUntil(
        { 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '6m0s' },
        NOW,
      ),
    ).toBe(NOW + 360_000)
    const both = {
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '1s',
      'x-ratelimit-remaining-tokens': '0',
      'x-ratelimit-reset-tokens': '20ms',
    }
    expect(o.depletedUntil(both, NOW)).toBe(NOW + 1000)
    expect(
      o.depletedUntil(
        { 'x-ratelimit-remaining-requests': '5', 'x-ratelimit-reset-requests': '1s' },
        NOW,
      ),
    ).toBeNull()
    expect(o.depletedUntil({ 'x-ratelimit-remaining-requests': '0' }, NOW)).toBeNull()
    const a = ch('anthropic')
    const at = new Date(NOW + 40_000).toISOString()
    expect(
      a.depletedUntil(
        {
          'anthropic-ratelimit-output-tokens-remaining': '0',
          'anthropic-ratelimit-output-tokens-reset': at,
        },
        NOW,
      ),
    ).toBe(NOW + 40_000)
    expect(
      a.depletedUntil(
        {
          'anthropic-ratelimit-requests-remaining': '12',
          'anthropic-ratelimit-requests-reset': at,
        },
        NOW,
      ),
    ).toBeNull()
    expect(ch('gemini').depletedUntil(both, NOW)).toBeNull()
  })

  it('gemini ignores other providers’ headers', () => {
    const hs = h({ 'x-ratelimit-reset-requests': '1s' })
    expect(ch('gemini').rateLimitResetAt(hs, NOW)).toBeNull()
  })
})

describe('validationRequest', () => {
  const body = (r: { init: { body: string } }) => JSON.parse(r.init.body)

  it('openai: default endpoint, Bearer, chat body; trims the base', () => {
    const r = ch('openai').validationRequest(group(), 'https://api.openai.com/', 'sk-k')
    expect(r.url).toBe('https://api.openai.com/v1/chat/completions')
    expect(r.init.method).toBe('POST')
    expect(r.init.headers).toEqual({
      'content-type': 'application/json',
      authorization: 'Bearer sk-k',
    })
    expect(body(r)).toEqual({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'hi' }] })
  })

  it('openai: custom endpoint keeps its query, base path kept, test model used', () => {
    const g = group({ validation_endpoint: '/v2/chat?api-version=1', test_model: 'm' })
    const r = ch('openai').validationRequest(g, 'https://p.example/openai//', 'k')
    expect(r.url).toBe('https://p.example/openai/v2/chat?api-version=1')
    expect(body(r).model).toBe('m')
  })

  it('openai-response: /v1/responses with input', () => {
    const r = ch('openai-response').validationRequest(group(), 'https://u', 'k')
    expect(r.url).toBe('https://u/v1/responses')
    expect(r.init.headers.authorization).toBe('Bearer k')
    expect(body(r)).toEqual({ model: 'gpt-4.1-nano', input: 'hi' })
    const custom = group({ validation_endpoint: '/x/responses?a=1' })
    expect(ch('openai-response').validationRequest(custom, 'https://u', 'k').url).toBe(
      'https://u/x/responses?a=1',
    )
  })

  it('gemini: key in x-goog-api-key, never in the URL', () => {
    const r = ch('gemini').validationRequest(
      group({ test_model: 'gemini-x' }),
      'https://g/',
      'AIza&1',
    )
    expect(r.url).toBe('https://g/v1beta/models/gemini-x:generateContent')
    expect(r.url).not.toContain('AIza')
    expect(r.init.headers).toEqual({
      'content-type': 'application/json',
      'x-goog-api-key': 'AIza&1',
    })
    expect(body(r)).toEqual({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] })
    const dflt = ch('gemini').validationRequest(group({ test_model: 'models/m' }), 'https://g', 'k')
    expect(dflt.url).toBe('https://g/v1beta/models/m:generateContent')
  })

  it('anthropic: /v1/messages, x-api-key and version, max_tokens 100', () => {
    const r = ch('anthropic').validationRequest(group(), 'https://api.anthropic.com', 'sk-ant')
    expect(r.url).toBe('https://api.anthropic.com/v1/messages')
    expect(r.init.headers).toEqual({
      'content-type': 'application/json',
      'x-api-key': 'sk-ant',
      'anthropic-version': '2023-06-01',
    })
    expect(body(r)).toEqual({
      model: 'claude-3-haiku-20240307',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'hi' }],
    })
    const g = group({ validation_endpoint: '/proxy/messages?beta=true' })
    expect(ch('anthropic').validationRequest(g, 'https://a/', 'k').url).toBe(
      'https://a/proxy/messages?beta=true',
    )
  })
})

describe('stream errors', () => {
  const event = (type: string, path: string) =>
    ch(type).streamError(path, 502, 'BAD_GATEWAY', 'cut')

  it('says which streams come as SSE', () => {
    expect(ch('openai').streamsSse('/v1/chat/completions')).toBe(true)
    expect(ch('anthropic').streamsSse('/v1/messages')).toBe(true)
    const gemini = ch('gemini')
    expect(gemini.streamsSse('/v1beta/models/m:streamGenerateContent?alt=sse')).toBe(true)
    expect(gemini.streamsSse('/v1beta/models/m:streamGenerateContent')).toBe(false)
    expect(gemini.streamsSse('/v1beta/models/m:streamGenerateContent?alt=ssex')).toBe(false)
    expect(gemini.streamsSse('/v1beta/openai/chat/completions')).toBe(true)
  })

  it('writes each format its own error event, ended by a blank line', () => {
    const chat = 'data: {"error":{"message":"cut","type":"server_error","code":"BAD_GATEWAY"}}\n\n'
    expect(event('openai', '/v1/chat/completions')).toBe(chat)
    expect(event('gemini', '/v1beta/openai/chat/completions')).toBe(chat)
    expect(event('openai-response', '/v1/responses')).toBe(
      'event: error\ndata: {"type":"error","code":"BAD_GATEWAY","message":"cut","param":null}\n\n',
    )
    expect(event('openai', '/v1/responses?x=1')).toMatch(/^event: error\n/)
    expect(event('anthropic', '/v1/messages')).toMatch(
      /^event: error\ndata: \{"type":"error","error":\{"type":"api_error","message":"cut"/,
    )
    const gemini = event('gemini', '/v1beta/models/m:streamGenerateContent?alt=sse')
    expect(JSON.parse(gemini.slice(6))).toMatchObject({
      error: { code: 502, message: 'cut', status: 'UNAVAILABLE' },
    })
  })
})
