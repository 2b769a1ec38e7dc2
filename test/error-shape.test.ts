// Errors the gateway makes on /proxy, as the official SDKs show them (issue 9, item 8): each
// channel answers in its provider's error shape, so the OpenAI, Anthropic and Google GenAI SDKs
// all show our message, and v1's code string stays readable in that shape. The admin API keeps
// v1's `{code, message}`.
import Anthropic from '@anthropic-ai/sdk'
import { ApiError, GoogleGenAI } from '@google/genai'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream'
import { ADMIN_KEY, startTestGateway, type TestGateway } from './helpers/gateway'

type Sdk = 'openai' | 'anthropic' | 'gemini'
const SDKS: Sdk[] = ['openai', 'anthropic', 'gemini']

let up: FakeUpstream
let t: TestGateway

const CHANNEL: Record<Sdk, { channel_type: string; test_model: string; key: string }> = {
  openai: { channel_type: 'openai', test_model: 'gpt-4o-mini', key: 'sk-oa' },
  anthropic: { channel_type: 'anthropic', test_model: 'claude-3-5-haiku-latest', key: 'sk-an' },
  gemini: { channel_type: 'gemini', test_model: 'gemini-2.0-flash', key: 'AIza-gm' },
}

/** One group per channel, named `{prefix}-{sdk}`; `keys` gets a per-channel key suffix. */
const groups = async (prefix: string, spec: Record<string, unknown>, keys: string[] = ['']) => {
  for (const sdk of SDKS) {
    const { key, ...channel } = CHANNEL[sdk]
    const ks = keys.map((k) => `${key}-${prefix}${k}`)
    await t.createGroup({ name: `${prefix}-${sdk}`, ...channel, ...spec }, keys.length ? ks : [])
  }
}

beforeAll(async () => {
  up = await startFakeUpstream({
    behaviours: {
      'sk-oa-slow': { delayMs: 2500 },
      'sk-an-slow': { delayMs: 2500 },
      'AIza-gm-slow': { delayMs: 2500 },
      'sk-hold': { delayMs: 1500 },
    },
  })
  t = await startTestGateway({ MAX_BODY_SIZE_MB: '1', MAX_CONCURRENT_REQUESTS: '1' })
  const upstreams = [{ url: up.url, weight: 1 }]
  await groups('ok', { upstreams })
  await groups('nokeys', { upstreams }, [])
  await groups('off', { upstreams })
  for (const sdk of SDKS) {
    const id = (
      await t.admin<{ data: Array<{ id: number; name: string }> }>('GET', '/api/groups')
    ).body.data.find((g) => g.name === `off-${sdk}`)!.id
    expect((await t.admin('PUT', `/api/groups/${id}/enabled`, { enabled: false })).status).toBe(200)
  }
  const redirect = { 'my-model': 'gpt-4o-mini' }
  await groups('strict', { upstreams, model_redirect_rules: redirect, model_redirect_strict: true })
  // Nothing listens on port 1: the connection is refused, a network error of the gateway's own.
  await groups('down', {
    upstreams: [{ url: 'http://127.0.0.1:1', weight: 1 }],
    config: { max_retries: 0 },
  })
  await groups('slow', { upstreams, config: { response_header_timeout: 1, max_retries: 0 } })
  await t.createGroup({ name: 'hold', upstreams }, ['sk-hold'])
})

afterAll(async () => {
  await t?.stop()
  await up?.close()
})

/** What the SDK's thrown error tells its user. */
interface Seen {
  status: number | undefined
  message: string
  /** v1's code as the SDK exposes it: OpenAI `code`, Anthropic `errorCode`, Gemini's reason. */
  code: unknown
  /** The provider's category: OpenAI/Anthropic `type`, Gemini `status`. */
  type: unknown
  retryAfter?: string | null
}

const MODEL: Record<Sdk, string> = {
  openai: 'gpt-4o-mini',
  anthropic: 'claude-3-5-haiku-latest',
  gemini: 'gemini-2.0-flash',
}

/** One plain call through the SDK; resolves to the error it threw. */
const call = async (
  sdk: Sdk,
  group: string,
  opt: { key?: string; text?: string; model?: string } = {},
): Promise<Seen> => {
  const apiKey = opt.key ?? ADMIN_KEY
  const content = opt.text ?? 'hi'
  const model = opt.model ?? MODEL[sdk]
  const baseURL = `${t.url}/proxy/${group}`
  try {
    if (sdk === 'openai') {
      const client = new OpenAI({ apiKey, baseURL: `${baseURL}/v1`, maxRetries: 0 })
      await client.chat.completions.create({ model, messages: [{ role: 'user', content }] })
    } else if (sdk === 'anthropic') {
      const client = new Anthropic({ apiKey, baseURL, maxRetries: 0 })
      await client.messages.create({
        model,
        max_tokens: 16,
        messages: [{ role: 'user', content }],
      })
    } else {
      const client = new GoogleGenAI({ apiKey, httpOptions: { baseUrl: baseURL } })
      await client.models.generateContent({ model, contents: content })
    }
  } catch (err) {
    if (err instanceof OpenAI.APIError) {
      const retryAfter = err.headers?.get('retry-after')
      return {
        status: err.status,
        message: err.message,
        code: err.code,
        type: err.type,
        retryAfter,
      }
    }
    if (err instanceof Anthropic.APIError) {
      const retryAfter = err.headers?.get('retry-after')
      const { status, message, errorCode: code, type } = err
      return { status, message, code, type, retryAfter }
    }
    if (err instanceof ApiError) {
      // The GenAI SDK's message is the JSON body itself.
      const body = JSON.parse(err.message) as {
        error?: { status?: string; details?: Array<{ reason?: string }> }
      }
      const code = body.error?.details?.[0]?.reason
      return { status: err.status, message: err.message, code, type: body.error?.status }
    }
    throw err
  }
  throw new Error(`${sdk}: the call to ${group} succeeded`)
}

interface Case {
  status: number
  code: string
  text: RegExp
  /** OpenAI `type`, Anthropic `type`, Gemini `status`. */
  types: [string, string, string]
}

const expectSeen = (seen: Seen, sdk: Sdk, c: Case) => {
  expect(seen.status).toBe(c.status)
  expect(seen.message).toMatch(c.text)
  expect(seen.message).not.toMatch(/no body/)
  expect(seen.code).toBe(c.code)
  expect(seen.type).toBe(c.types[SDKS.indexOf(sdk)])
}

const BAD_KEY: Case = {
  status: 401,
  code: 'UNAUTHORIZED',
  text: /Invalid proxy key/,
  types: ['authentication_error', 'authentication_error', 'UNAUTHENTICATED'],
}

describe.each(SDKS)('%s SDK shows the cause of a gateway error', (sdk) => {
  it('bad proxy key: 401', async () => {
    expectSeen(await call(sdk, `ok-${sdk}`, { key: 'not-a-proxy-key' }), sdk, BAD_KEY)
  })

  it('unknown group: 404, in the shape the request points to', async () => {
    expectSeen(await call(sdk, 'nope'), sdk, {
      status: 404,
      code: 'NOT_FOUND',
      text: /Group 'nope' not found/,
      types: ['invalid_request_error', 'not_found_error', 'NOT_FOUND'],
    })
  })

  it('body over MAX_BODY_SIZE_MB: 413', async () => {
    const text = 'x'.repeat(1024 * 1024 + 100)
    expectSeen(await call(sdk, `ok-${sdk}`, { text }), sdk, {
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
      text: /exceeds the limit of 1048576 bytes/,
      types: ['invalid_request_error', 'request_too_large', 'INVALID_ARGUMENT'],
    })
  })

  it('no usable key: 503', async () => {
    expectSeen(await call(sdk, `nokeys-${sdk}`), sdk, {
      status: 503,
      code: 'NO_KEYS_AVAILABLE',
      text: /No active API keys available for this group/,
      types: ['server_error', 'api_error', 'UNAVAILABLE'],
    })
  })

  it('disabled group: 503', async () => {
    expectSeen(await call(sdk, `off-${sdk}`), sdk, {
      status: 503,
      code: 'SERVICE_UNAVAILABLE',
      text: /Group is disabled/,
      types: ['server_error', 'api_error', 'UNAVAILABLE'],
    })
  })

  it('strict model redirect refuses a model: 400', async () => {
    expectSeen(await call(sdk, `strict-${sdk}`, { model: 'other-model' }), sdk, {
      status: 400,
      code: 'BAD_REQUEST',
      text: /model 'other-model' is not configured in redirect rules/,
      types: ['invalid_request_error', 'invalid_request_error', 'INVALID_ARGUMENT'],
    })
  })

  it('upstream unreachable: 502', async () => {
    expectSeen(await call(sdk, `down-${sdk}`), sdk, {
      status: 502,
      code: 'BAD_GATEWAY',
      text: /ECONNREFUSED/,
      types: ['server_error', 'api_error', 'UNAVAILABLE'],
    })
  })

  it('upstream too slow: 504', async () => {
    expectSeen(await call(sdk, `slow-${sdk}`), sdk, {
      status: 504,
      code: 'BAD_GATEWAY',
      text: /upstream request timed out/,
      types: ['server_error', 'timeout_error', 'DEADLINE_EXCEEDED'],
    })
  })
})

describe('concurrency cap', () => {
  it('each SDK shows the 429, with Retry-After, while the only slot is taken', async () => {
    const held = t.chat('hold')
    const start = Date.now()
    while (!up.requests.some((r) => r.credential === 'sk-hold') && Date.now() - start < 5000) {
      await new Promise((r) => setTimeout(r, 10))
    }
    const busy: Case = {
      status: 429,
      code: 'TOO_MANY_REQUESTS',
      text: /Too many concurrent requests \(limit 1\)/,
      types: ['rate_limit_error', 'rate_limit_error', 'RESOURCE_EXHAUSTED'],
    }
    try {
      for (const sdk of SDKS) {
        const seen = await call(sdk, `ok-${sdk}`)
        expectSeen(seen, sdk, busy)
        if (sdk !== 'gemini') expect(seen.retryAfter).toBe('1')
      }
    } finally {
      const res = await held
      expect(res.status).toBe(200)
      await res.arrayBuffer()
    }
  })
})

/** A raw request to /proxy with a wrong key: status, content type and parsed body. */
const raw = async (path: string, headers: Record<string, string> = {}) => {
  const res = await fetch(`${t.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: '{}',
  })
  return { status: res.status, type: res.headers.get('content-type'), body: await res.json() }
}

const OPENAI_401 = {
  error: { message: 'Invalid proxy key', type: 'authentication_error', code: 'UNAUTHORIZED' },
}
const ANTHROPIC_401 = {
  type: 'error',
  error: {
    type: 'authentication_error',
    message: 'Invalid proxy key',
    details: { error_code: 'UNAUTHORIZED' },
  },
}
const GEMINI_401 = {
  error: {
    code: 401,
    message: 'Invalid proxy key',
    status: 'UNAUTHENTICATED',
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'UNAUTHORIZED',
        domain: 'edgeload',
      },
    ],
  },
}
const WRONG = { authorization: 'Bearer wrong' }

describe('the exact bodies', () => {
  it('each channel answers in its documented shape, and nothing more', async () => {
    const oa = await raw('/proxy/ok-openai/v1/chat/completions', WRONG)
    expect(oa).toEqual({ status: 401, type: 'application/json', body: OPENAI_401 })
    const an = await raw('/proxy/ok-anthropic/v1/messages', WRONG)
    expect(an).toEqual({ status: 401, type: 'application/json', body: ANTHROPIC_401 })
    const gm = await raw('/proxy/ok-gemini/v1beta/models/gemini-2.0-flash:generateContent', WRONG)
    expect(gm).toEqual({ status: 401, type: 'application/json', body: GEMINI_401 })
  })

  it("follows the group's channel, and OpenAI's on Gemini's OpenAI-compatible paths", async () => {
    // The path does not decide for a known group: an Anthropic group answers as Anthropic.
    expect((await raw('/proxy/ok-anthropic/v1/chat/completions', WRONG)).body).toEqual(
      ANTHROPIC_401,
    )
    expect((await raw('/proxy/ok-gemini/v1beta/openai/chat/completions', WRONG)).body).toEqual(
      OPENAI_401,
    )
  })

  it('a missing key names itself', async () => {
    const res = await raw('/proxy/ok-openai/v1/chat/completions')
    expect(res.status).toBe(401)
    expect(res.body).toEqual({
      error: { message: 'Missing proxy key', type: 'authentication_error', code: 'UNAUTHORIZED' },
    })
  })

  it('an unknown group answers in the shape its path or credentials point to', async () => {
    const shapeOf = (body: Record<string, any>) =>
      body.type === 'error'
        ? 'anthropic'
        : typeof body.error?.status === 'string'
          ? 'gemini'
          : 'openai'
    const cases: Array<[string, Record<string, string>, string]> = [
      ['/proxy/nope/v1/chat/completions', WRONG, 'openai'],
      ['/proxy/nope/v1/messages', WRONG, 'anthropic'],
      [
        '/proxy/nope/v1/other',
        { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' },
        'anthropic',
      ],
      ['/proxy/nope/v1beta/models/gemini-2.0-flash:generateContent', {}, 'gemini'],
      ['/proxy/nope/v1/other', { 'x-goog-api-key': 'k' }, 'gemini'],
      ['/proxy/nope/v1/other?key=k', {}, 'gemini'],
      ['/proxy/nope/v1beta/openai/chat/completions', { 'x-goog-api-key': 'k' }, 'openai'],
    ]
    for (const [path, headers, shape] of cases) {
      const res = await raw(path, headers)
      expect(res.status).toBe(404)
      expect([path, shapeOf(res.body)]).toEqual([path, shape])
      expect(JSON.stringify(res.body)).toContain("Group 'nope' not found")
    }
  })

  it('the admin API and the integration-info route keep v1 envelope', async () => {
    const res = await fetch(`${t.url}/api/groups`, { headers: WRONG })
    expect(res.status).toBe(401)
    expect(Object.keys(await res.json()).sort()).toEqual(['code', 'message'])
    const info = await fetch(`${t.url}/proxy/nope/api/integration/info?key=${ADMIN_KEY}`)
    expect(info.status).toBe(404)
    expect(await info.json()).toEqual({ code: 'NOT_FOUND', message: "Group 'nope' not found" })
  })
})
