// The proxy through the Node adapter on a real socket: auth, credential placement per channel,
// header hygiene, body limits, weighted upstreams, and client errors that cost no key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream'
import { ADMIN_KEY, startTestGateway, type TestGateway } from './helpers/gateway'

let up: FakeUpstream
let up2: FakeUpstream
let t: TestGateway

const chat = (group: string, init: RequestInit = {}, query = '') =>
  fetch(`${t.url}/proxy/${group}/v1/chat/completions${query}`, {
    method: 'POST',
    ...init,
    headers: {
      authorization: `Bearer ${ADMIN_KEY}`,
      'content-type': 'application/json',
      ...init.headers,
    },
    body:
      init.body ??
      JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
  })

beforeAll(async () => {
  up = await startFakeUpstream()
  up2 = await startFakeUpstream()
  t = await startTestGateway({ MAX_BODY_SIZE_MB: '1' })
  await t.admin('PUT', '/api/settings', { request_log_write_interval_minutes: 0 })
  await t.createGroup(
    { name: 'oa', upstreams: [{ url: up.url, weight: 1 }], proxy_keys: 'sk-group-only' },
    ['sk-oa-1', 'sk-oa-2'],
  )
  await t.createGroup(
    {
      name: 'an',
      channel_type: 'anthropic',
      test_model: 'claude-3-5-haiku-latest',
      upstreams: [{ url: up.url, weight: 1 }],
    },
    ['sk-ant-1'],
  )
  await t.createGroup(
    {
      name: 'gm',
      channel_type: 'gemini',
      test_model: 'gemini-2.0-flash',
      upstreams: [{ url: up.url, weight: 1 }],
    },
    ['AIza-gm-1'],
  )
  await t.createGroup(
    {
      name: 'wrr',
      upstreams: [
        { url: up.url, weight: 2 },
        { url: up2.url, weight: 1 },
      ],
    },
    ['sk-wrr-1'],
  )
})

afterAll(async () => {
  await t?.stop()
  await up?.close()
  await up2?.close()
})

describe('proxy auth', () => {
  it('answers 404 with the JSON error shape for an unknown group', async () => {
    const res = await chat('nope')
    expect(res.status).toBe(404)
    expect(await res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } })
  })

  it('answers 401 without a key and with a wrong key', async () => {
    const none = await chat('oa', { headers: { authorization: '' } })
    expect(none.status).toBe(401)
    expect(await none.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } })
    const wrong = await chat('oa', { headers: { authorization: 'Bearer not-a-proxy-key' } })
    expect(wrong.status).toBe(401)
  })

  it('accepts the key from ?key=, x-api-key, x-goog-api-key and a group proxy key', async () => {
    expect((await chat('oa', { headers: { authorization: '' } }, `?key=${ADMIN_KEY}`)).status).toBe(
      200,
    )
    expect(
      (await chat('oa', { headers: { authorization: '', 'x-api-key': ADMIN_KEY } })).status,
    ).toBe(200)
    expect(
      (await chat('oa', { headers: { authorization: '', 'x-goog-api-key': ADMIN_KEY } })).status,
    ).toBe(200)
    expect((await chat('oa', { headers: { authorization: 'Bearer sk-group-only' } })).status).toBe(
      200,
    )
    // A group's own proxy key opens only that group.
    expect((await chat('wrr', { headers: { authorization: 'Bearer sk-group-only' } })).status).toBe(
      401,
    )
  })

  it('takes the Bearer scheme in any case (RFC 9110 §11.1) and still swaps the key', async () => {
    for (const scheme of ['bearer', 'BEARER', 'bEARER']) {
      const from = up.requests.length
      const res = await chat('an', {
        headers: { authorization: `${scheme} ${ADMIN_KEY}` },
        body: JSON.stringify({
          model: 'claude-3-5-haiku-latest',
          max_tokens: 8,
          messages: [{ role: 'user', content: 'hi' }],
        }),
      })
      expect(res.status, scheme).toBe(200)
      const seen = up.requests[from]!
      expect(seen.credential).toBe('sk-ant-1')
      expect(seen.headers.authorization).toBeUndefined()
    }
    const wrong = await chat('oa', { headers: { authorization: 'bearer not-a-proxy-key' } })
    expect(wrong.status).toBe(401)
  })
})

describe('forwarding', () => {
  it('swaps the proxy key for an upstream key and drops client credentials and forwarding headers', async () => {
    up.requests.length = 0
    const res = await chat(
      'oa',
      { headers: { 'x-forwarded-for': '1.2.3.4', 'x-custom': 'kept', cookie: 'a=b' } },
      `?key=${ADMIN_KEY}&foo=bar`,
    )
    expect(res.status).toBe(200)
    const body = (await res.json()) as { object: string }
    expect(body.object).toBe('chat.completion')
    const seen = up.requests[0]
    expect(['sk-oa-1', 'sk-oa-2']).toContain(seen.credential)
    expect(seen.headers.authorization).toMatch(/^Bearer sk-oa-/)
    expect(JSON.stringify(seen.headers)).not.toContain(ADMIN_KEY)
    expect(seen.headers['x-forwarded-for']).toBeUndefined()
    expect(seen.headers['x-custom']).toBe('kept')
    expect(seen.query).toEqual({ foo: 'bar' })
    expect(JSON.parse(seen.body).model).toBe('gpt-4o-mini')
  })

  it('rotates keys round robin', async () => {
    up.requests.length = 0
    for (let i = 0; i < 4; i++) expect((await chat('oa')).status).toBe(200)
    const creds = up.requests.map((r) => r.credential)
    expect(new Set(creds)).toEqual(new Set(['sk-oa-1', 'sk-oa-2']))
    expect(creds[0]).not.toBe(creds[1])
  })

  it('puts the Anthropic key in x-api-key with the forced anthropic-version', async () => {
    up.requests.length = 0
    const res = await fetch(`${t.url}/proxy/an/v1/messages`, {
      method: 'POST',
      headers: {
        'x-api-key': ADMIN_KEY,
        'anthropic-version': '2020-01-01',
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        model: 'claude-3-5-haiku-latest',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    })
    expect(res.status).toBe(200)
    expect(((await res.json()) as { type: string }).type).toBe('message')
    expect(up.requests[0].headers['x-api-key']).toBe('sk-ant-1')
    expect(up.requests[0].headers['anthropic-version']).toBe('2023-06-01')
    expect(up.requests[0].headers.authorization).toBeUndefined()
  })

  it('puts the Gemini key in ?key= on native paths and in Bearer on v1beta/openai', async () => {
    up.requests.length = 0
    const native = await fetch(
      `${t.url}/proxy/gm/v1beta/models/gemini-2.0-flash:generateContent?key=${ADMIN_KEY}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
      },
    )
    expect(native.status).toBe(200)
    expect(up.requests[0].query.key).toBe('AIza-gm-1')
    const compat = await fetch(`${t.url}/proxy/gm/v1beta/openai/chat/completions`, {
      method: 'POST',
      headers: { 'x-goog-api-key': ADMIN_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'gemini-2.0-flash',
        messages: [{ role: 'user', content: 'hi' }],
      }),
    })
    expect(compat.status).toBe(200)
    expect(up.requests[1].headers.authorization).toBe('Bearer AIza-gm-1')
    expect(up.requests[1].query.key).toBeUndefined()
  })

  it('balances upstream URLs by smooth weighted round robin', async () => {
    up.requests.length = 0
    up2.requests.length = 0
    for (let i = 0; i < 6; i++) expect((await chat('wrr')).status).toBe(200)
    expect(up.requests.length).toBe(4)
    expect(up2.requests.length).toBe(2)
  })

  it('refuses a body over the limit with 413 before calling upstream', async () => {
    up.requests.length = 0
    const big = JSON.stringify({ model: 'gpt-4o-mini', pad: 'x'.repeat(1024 * 1024 + 10) })
    const res = await chat('oa', { body: big })
    expect(res.status).toBe(413)
    expect(await res.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } })
    expect(up.requests.length).toBe(0)
  })

  it('passes a client 400 through once, without retrying or charging the key', async () => {
    up.requests.length = 0
    const res = await chat('oa', { body: '{not json' })
    expect(res.status).toBe(400)
    const body = (await res.json()) as { error: { message: string } }
    expect(body.error.message).toMatch(/parse the JSON/)
    expect(up.requests.length).toBe(1)
    const keys = await t.admin<{ data: { items: Array<{ failure_count: number }> } }>(
      'GET',
      '/api/keys?group_id=1',
    )
    expect(keys.body.data.items.every((k) => k.failure_count === 0)).toBe(true)
  })

  it('passes a 404 through with the upstream status and body', async () => {
    const res = await fetch(`${t.url}/proxy/oa/v1/nothing-here`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    })
    expect(res.status).toBe(404)
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /Invalid URL/,
    )
  })
})
