// Admin API: auth, login, channel types and group CRUD, including bad input that must change nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from './helpers/app'

let t: TestApp

beforeEach(async () => {
  t = await createTestApp()
})
afterEach(async () => {
  await t.close()
})

const validGroup = (over: Record<string, unknown> = {}) => ({
  name: 'openai-main',
  display_name: 'OpenAI main',
  channel_type: 'openai',
  upstreams: [{ url: 'https://api.openai.com', weight: 1 }],
  ...over,
})

const createGroup = async (over: Record<string, unknown> = {}) => {
  const res = await t.api('POST', '/api/groups', validGroup(over))
  expect(res.status).toBe(200)
  return (await res.json()).data
}

describe('admin auth', () => {
  it('rejects a missing or wrong key with 401 UNAUTHORIZED', async () => {
    const wrong: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer nope' },
      { 'x-api-key': 'nope' },
    ]
    for (const headers of wrong) {
      const res = await t.app.request('/api/groups', { headers })
      expect(res.status).toBe(401)
      expect(await res.json()).toEqual({ code: 'UNAUTHORIZED', message: 'Authentication failed' })
    }
    // A scheme that is not Bearer in any case, or a Bearer without a space, is no key.
    for (const authorization of [`Basic ${t.authKey}`, `Bearer${t.authKey}`, `bearer  `]) {
      const res = await t.app.request('/api/groups', { headers: { authorization } })
      expect(res.status, authorization).toBe(401)
    }
  })

  it('takes the Bearer scheme in any case (RFC 9110 §11.1), unlike v1', async () => {
    for (const scheme of ['bearer', 'BEARER', 'BeArEr']) {
      const res = await t.app.request('/api/groups', {
        headers: { authorization: `${scheme} ${t.authKey}` },
      })
      expect(res.status, scheme).toBe(200)
    }
  })

  it('accepts the key from ?key=, Bearer, X-Api-Key and X-Goog-Api-Key', async () => {
    const ways: Array<[string, Record<string, string>]> = [
      [`/api/groups?key=${t.authKey}`, {}],
      ['/api/groups', { authorization: `Bearer ${t.authKey}` }],
      ['/api/groups', { 'x-api-key': t.authKey }],
      ['/api/groups', { 'x-goog-api-key': t.authKey }],
    ]
    for (const [path, headers] of ways) {
      const res = await t.app.request(path, { headers })
      expect(res.status).toBe(200)
      expect(await res.json()).toEqual({ code: 0, message: 'Success', data: [] })
    }
  })

  it('guards writes too: an unauthenticated create writes nothing', async () => {
    const res = await t.app.request('/api/groups', {
      method: 'POST',
      body: JSON.stringify(validGroup()),
    })
    expect(res.status).toBe(401)
    expect(await t.deps.store.listGroups()).toEqual([])
  })
})

describe('POST /api/auth/login', () => {
  const login = (body: string) => t.app.request('/api/auth/login', { method: 'POST', body })

  it('answers {success, message} without needing auth', async () => {
    const good = await login(JSON.stringify({ auth_key: t.authKey }))
    expect(good.status).toBe(200)
    expect(await good.json()).toMatchObject({ success: true })
    const bad = await login(JSON.stringify({ auth_key: 'wrong' }))
    expect(bad.status).toBe(401)
    expect(await bad.json()).toEqual({ success: false, message: 'Authentication failed' })
  })

  it('rejects malformed JSON and a missing auth_key with 400', async () => {
    const malformed = await login('{"auth_key":')
    expect(malformed.status).toBe(400)
    expect((await malformed.json()).code).toBe('INVALID_JSON')
    const missing = await login('{}')
    expect(missing.status).toBe(400)
    expect(await missing.json()).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'auth_key: is required',
    })
  })
})

describe('GET /api/channel-types', () => {
  it('lists the channel types in a stable order', async () => {
    const res = await t.api('GET', '/api/channel-types')
    expect((await res.json()).data).toEqual(['openai', 'openai-response', 'gemini', 'anthropic'])
  })
})

describe('groups', () => {
  it('creates a group with defaults and an endpoint, and the proxy cache sees it', async () => {
    const g = await createGroup({
      proxy_keys: ' a , b,,c ',
      config: { max_retries: 1, proxy_url: null },
    })
    expect(g).toMatchObject({
      name: 'openai-main',
      endpoint: 'http://localhost:3001/proxy/openai-main',
      display_name: 'OpenAI main',
      group_type: 'standard',
      channel_type: 'openai',
      sort: 0,
      validation_endpoint: '',
      param_overrides: {},
      model_redirect_rules: {},
      model_redirect_strict: false,
      config: { max_retries: 1 },
      header_rules: [],
      proxy_keys: 'a,b,c',
      last_validated_at: null,
    })
    expect(g.test_model).not.toBe('')
    expect(typeof g.id).toBe('number')
    const entry = t.core.cache.byName('openai-main')
    expect(entry?.settings.max_retries).toBe(1)
    expect(entry?.proxyKeys).toEqual(['a', 'b', 'c'])
  })

  it('lists groups by sort asc then id desc, with a short list and config options', async () => {
    const a = await createGroup({ name: 'a', sort: 2 })
    const b = await createGroup({ name: 'b', sort: 1 })
    const c = await createGroup({ name: 'c', sort: 2 })
    const list = (await (await t.api('GET', '/api/groups')).json()).data
    expect(list.map((g: { id: number }) => g.id)).toEqual([b.id, c.id, a.id])
    const short = (await (await t.api('GET', '/api/groups/list')).json()).data
    expect(short).toEqual([
      { id: b.id, name: 'b', display_name: 'OpenAI main' },
      { id: c.id, name: 'c', display_name: 'OpenAI main' },
      { id: a.id, name: 'a', display_name: 'OpenAI main' },
    ])
    const options = (await (await t.api('GET', '/api/groups/config-options')).json()).data
    expect(options.find((o: { key: string }) => o.key === 'max_retries')).toMatchObject({
      default_value: 3,
    })
    expect(options.some((o: { key: string }) => o.key === 'app_url')).toBe(false)
    await t.api('PUT', '/api/settings', { max_retries: 7 })
    const after = (await (await t.api('GET', '/api/groups/config-options')).json()).data
    expect(after.find((o: { key: string }) => o.key === 'max_retries').default_value).toBe(7)
  })

  const badCreates: Array<[string, Record<string, unknown>, string]> = [
    ['uppercase name', { name: 'OpenAI' }, 'name: '],
    ['name with a slash', { name: 'a/b' }, 'name: '],
    ['too long name', { name: 'x'.repeat(101) }, 'name: '],
    ['name of the wrong type', { name: 42 }, 'name: must be a string'],
    ['missing upstreams', { upstreams: undefined }, 'upstreams: is required'],
    ['empty upstreams', { upstreams: [] }, 'upstreams: needs at least one upstream'],
    [
      'non-http upstream',
      { upstreams: [{ url: 'ftp://x.example', weight: 1 }] },
      'upstreams.0.url: must be an http(s) URL',
    ],
    [
      'garbage upstream',
      { upstreams: [{ url: 'not a url', weight: 1 }] },
      'upstreams.0.url: must be an http(s) URL',
    ],
    [
      'negative weight',
      { upstreams: [{ url: 'https://a.example', weight: -1 }] },
      'upstreams.0.weight: ',
    ],
    [
      'all weights zero',
      { upstreams: [{ url: 'https://a.example', weight: 0 }] },
      'upstreams: at least one upstream needs a weight above 0',
    ],
    ['unknown channel', { channel_type: 'cohere' }, 'channel_type: must be one of'],
    ['relative validation endpoint', { validation_endpoint: 'v1/chat' }, 'validation_endpoint: '],
    ['sort as a string', { sort: '1' }, 'sort: '],
    ['unknown config key', { config: { app_url: 'x' } }, 'config.app_url: is not a group setting'],
    [
      'config of the wrong type',
      { config: { max_retries: 'many' } },
      'config.max_retries: must be an integer',
    ],
    [
      'config below its minimum',
      { config: { request_timeout: 0 } },
      'config.request_timeout: must be between 1 and 86400',
    ],
    [
      'config above its maximum',
      { config: { max_retries: 1e12 } },
      'config.max_retries: must be between 0 and 10',
    ],
    [
      'a timeout past what a timer can hold',
      { config: { request_timeout: 9e99 } },
      'config.request_timeout: must be between 1 and 86400',
    ],
    [
      'bad failover codes',
      { config: { failover_status_codes: '4xx' } },
      'config.failover_status_codes: ',
    ],
    [
      'bad header rule',
      { header_rules: [{ key: 'X-A', value: '1', action: 'append' }] },
      'header_rules.0.action: ',
    ],
    ['redirect rules not strings', { model_redirect_rules: { a: 1 } }, 'model_redirect_rules.a: '],
    [
      'aggregate with redirect rules',
      { group_type: 'aggregate', model_redirect_rules: { a: 'b' } },
      'aggregate groups cannot have model redirect rules',
    ],
  ]

  it.each(badCreates)('rejects %s with 400 and writes nothing', async (_label, over, message) => {
    const res = await t.api('POST', '/api/groups', validGroup(over))
    expect(res.status).toBe(400)
    const body = await res.json()
    expect(body.code).toBe('VALIDATION_FAILED')
    expect(body.message).toContain(message)
    expect(await t.deps.store.listGroups()).toEqual([])
    expect(t.core.cache.all()).toEqual([])
  })

  it('rejects malformed JSON, a non-object body and an oversized body', async () => {
    const malformed = await t.api('POST', '/api/groups', '{"name": "x",')
    expect(malformed.status).toBe(400)
    expect((await malformed.json()).code).toBe('INVALID_JSON')
    const array = await t.api('POST', '/api/groups', '[]')
    expect(array.status).toBe(400)
    const small = await createTestApp({ config: { maxBodyBytes: 64 } })
    try {
      const res = await small.api(
        'POST',
        '/api/groups',
        validGroup({ description: 'x'.repeat(100) }),
      )
      expect(res.status).toBe(413)
      expect((await res.json()).code).toBe('PAYLOAD_TOO_LARGE')
      expect(await small.deps.store.listGroups()).toEqual([])
    } finally {
      await small.close()
    }
    expect(await t.deps.store.listGroups()).toEqual([])
  })

  it('answers 409 for a taken name', async () => {
    await createGroup()
    const res = await t.api('POST', '/api/groups', validGroup())
    expect(res.status).toBe(409)
    expect((await res.json()).code).toBe('DUPLICATE_RESOURCE')
    expect(await t.deps.store.listGroups()).toHaveLength(1)
  })

  it('updates only the given fields and reloads the cache', async () => {
    const g = await createGroup({ description: 'keep me', test_model: 'gpt-x' })
    const res = await t.api('PUT', `/api/groups/${g.id}`, {
      display_name: 'Renamed',
      upstreams: [{ url: 'http://b.example/', weight: 3 }],
      config: { max_retries: 0 },
      header_rules: [{ key: 'X-Team', value: 'ml', action: 'set' }],
      test_model: '',
      group_type: 'aggregate',
      endpoint: 'ignored',
    })
    expect(res.status).toBe(200)
    const u = (await res.json()).data
    expect(u).toMatchObject({
      id: g.id,
      name: 'openai-main',
      display_name: 'Renamed',
      description: 'keep me',
      test_model: 'gpt-x',
      group_type: 'standard',
      upstreams: [{ url: 'http://b.example/', weight: 3 }],
      config: { max_retries: 0 },
      header_rules: [{ key: 'X-Team', value: 'ml', action: 'set' }],
    })
    const entry = t.core.cache.byId(g.id)
    expect(entry?.settings.max_retries).toBe(0)
    expect(entry?.upstreams.next()).toBe('http://b.example')

    const renamed = await t.api('PUT', `/api/groups/${g.id}`, { name: 'renamed' })
    expect((await renamed.json()).data.endpoint).toBe('http://localhost:3001/proxy/renamed')
    expect(t.core.cache.byName('openai-main')).toBeNull()
    expect(t.core.cache.byName('renamed')?.group.id).toBe(g.id)
  })

  it('rejects a bad update with 400, an unknown id with 404 and a taken name with 409', async () => {
    const g = await createGroup()
    await createGroup({ name: 'other' })
    const before = await t.deps.store.getGroup(g.id)
    const cases: Array<[string, unknown, number]> = [
      [`/api/groups/${g.id}`, { upstreams: [] }, 400],
      [`/api/groups/${g.id}`, { name: 'Bad Name' }, 400],
      [`/api/groups/${g.id}`, { channel_type: 'nope' }, 400],
      [`/api/groups/${g.id}`, { config: { nope: 1 } }, 400],
      [`/api/groups/${g.id}`, '{oops', 400],
      [`/api/groups/${g.id}`, { name: 'other' }, 409],
      ['/api/groups/abc', { display_name: 'x' }, 400],
      ['/api/groups/0', { display_name: 'x' }, 400],
      ['/api/groups/99999', { display_name: 'x' }, 404],
    ]
    for (const [path, body, status] of cases) {
      const res = await t.api('PUT', path, body)
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(status)
    }
    expect(await t.deps.store.getGroup(g.id)).toEqual(before)
  })

  it('deletes a group with its keys, from the store and the pool', async () => {
    const g = await createGroup()
    await t.api('POST', '/api/keys/add-multiple', { group_id: g.id, keys_text: 'sk-1 sk-2 sk-3' })
    expect((await t.deps.pool.counts(g.id, Date.now())).active).toBe(3)
    const res = await t.api('DELETE', `/api/groups/${g.id}`)
    expect(res.status).toBe(200)
    expect((await res.json()).code).toBe(0)
    expect(await t.deps.store.getGroup(g.id)).toBeNull()
    expect(await t.deps.store.countKeys(g.id)).toMatchObject({ total: 0 })
    expect(await t.deps.pool.pick(g.id, Date.now())).toBeNull()
    expect(t.core.cache.byId(g.id)).toBeNull()
    const again = await t.api('DELETE', `/api/groups/${g.id}`)
    expect(again.status).toBe(404)
    expect((await again.json()).code).toBe('NOT_FOUND')
  })
})
