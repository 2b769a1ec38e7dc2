// Routing transforms through the real gateway (issue 3): header rules, param overrides, model
// redirect and model-list interception, checked on what the fake upstream actually receives.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { validateKey } from '../src/keys/validate'
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream'
import { ADMIN_KEY, startTestGateway, type TestGateway } from './helpers/gateway'
import { eventually } from './helpers/wait'

let up: FakeUpstream
let t: TestGateway
const auth = { authorization: `Bearer ${ADMIN_KEY}` }

const post = (group: string, path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${t.url}/proxy/${group}${path}`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json', ...headers },
    body,
  })
const chat = (group: string, body: string, headers: Record<string, string> = {}) =>
  post(group, '/v1/chat/completions', body, headers)
const get = (group: string, path: string) =>
  fetch(`${t.url}/proxy/${group}${path}`, { headers: auth })
const last = () => up.requests.at(-1)!

type Log = { model: string; status_code: number; request_type: string; error_message: string }
const logsOf = async (group: string) =>
  (await t.admin<{ data: { items: Log[] } }>('GET', `/api/logs?group_name=${group}`)).body.data
    .items

const upstreams = () => [{ url: up.url, weight: 1 }]

beforeAll(async () => {
  up = await startFakeUpstream({ behaviours: { 'sk-404': { status: 404 } } })
  t = await startTestGateway()
  await t.admin('PUT', '/api/settings', { request_log_write_interval_minutes: 0 })
  await t.createGroup({ name: 'plain', upstreams: upstreams() }, ['sk-plain'])
  await t.createGroup(
    {
      name: 'hr',
      upstreams: upstreams(),
      header_rules: [
        { key: 'Authorization', value: '', action: 'remove' },
        { key: 'X-Api-Key', value: '${API_KEY}', action: 'set' },
        { key: 'X-Forwarded-For', value: '${CLIENT_IP}', action: 'set' },
        { key: 'X-Group', value: '${GROUP_NAME}@${TIMESTAMP_S}', action: 'set' },
        { key: 'X-Drop', value: '', action: 'remove' },
      ],
    },
    ['sk-hr'],
  )
  await t.createGroup(
    {
      name: 'hr-auth',
      upstreams: upstreams(),
      header_rules: [{ key: 'authorization', value: 'Bearer over-${GROUP_NAME}', action: 'set' }],
    },
    ['sk-hr-auth'],
  )
  await t.createGroup(
    {
      name: 'po',
      upstreams: upstreams(),
      param_overrides: { temperature: 0.2, stream: true, extra: { a: [1] } },
    },
    ['sk-po'],
  )
  const redirect = { 'my-model': 'gpt-4o' }
  await t.createGroup(
    {
      name: 'rd',
      upstreams: upstreams(),
      model_redirect_rules: redirect,
      model_redirect_strict: true,
    },
    ['sk-rd'],
  )
  await t.createGroup({ name: 'rdl', upstreams: upstreams(), model_redirect_rules: redirect }, [
    'sk-rdl',
  ])
  await t.createGroup({ name: 'rd404', upstreams: upstreams(), model_redirect_rules: redirect }, [
    'sk-404',
  ])
  const gm = { channel_type: 'gemini', test_model: 'gemini-2.0-flash', upstreams: upstreams() }
  const flash = { flash: 'gemini-2.0-flash' }
  await t.createGroup(
    { ...gm, name: 'gms', model_redirect_rules: flash, model_redirect_strict: true },
    ['AIza-gms'],
  )
  await t.createGroup({ ...gm, name: 'gml', model_redirect_rules: flash }, ['AIza-gml'])
})

afterAll(async () => {
  await t?.stop()
  await up?.close()
})

beforeEach(() => {
  up.requests.length = 0
})

describe('header rules', () => {
  it('apply after the key: remove auth, set variables, drop a client header', async () => {
    const res = await chat('hr', '{"model":"gpt-4o-mini"}', {
      'x-drop': '1',
      'x-real-ip': '9.9.9.9',
    })
    expect(res.status).toBe(200)
    const h = last().headers
    expect(h.authorization).toBeUndefined()
    expect(h['x-api-key']).toBe('sk-hr')
    expect(h['x-forwarded-for']).toMatch(/127\.0\.0\.1/)
    expect(h['x-group']).toMatch(/^hr@\d{10}$/)
    expect(h['x-drop']).toBeUndefined()
    expect(h['x-real-ip']).toBeUndefined()
  })

  it('can override the auth header', async () => {
    expect((await chat('hr-auth', '{"model":"gpt-4o-mini"}')).status).toBe(200)
    expect(last().headers.authorization).toBe('Bearer over-hr-auth')
  })

  it('apply to validation requests with CLIENT_IP=127.0.0.1', async () => {
    const entry = t.gw.edgeload.core.cache.byName('hr')!
    expect(await validateKey(t.gw.edgeload.core, entry, 'sk-hr')).toMatchObject({ ok: true })
    expect(last().headers['x-forwarded-for']).toBe('127.0.0.1')
    expect(last().headers.authorization).toBeUndefined()
    expect(last().credential).toBe('sk-hr')
  })

  it('leave groups without rules as they were: no forwarding headers', async () => {
    await chat('plain', '{"model":"gpt-4o-mini"}', { 'x-forwarded-for': '1.2.3.4' })
    expect(last().headers['x-forwarded-for']).toBeUndefined()
    expect(last().headers.authorization).toBe('Bearer sk-plain')
  })
})

describe('param overrides', () => {
  it('splice the body byte for byte and turn on streaming', async () => {
    const body = '{ "model":"gpt-4o-mini", "seed": 12345678901234567890,"temperature":1 }'
    const res = await chat('po', body)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/event-stream')
    await res.text()
    expect(last().body).toBe(
      '{ "model":"gpt-4o-mini", "seed": 12345678901234567890,"temperature":0.2 ,"stream":true,"extra":{"a":[1]}}',
    )
    expect(last().headers['x-accel-buffering']).toBe('no')
  })

  it('pass non-object bodies through untouched', async () => {
    await chat('po', '[1,2]')
    expect(last().body).toBe('[1,2]')
  })

  it('leave the body of a group without overrides untouched', async () => {
    const body = '{"model":"gpt-4o-mini",  "n":12345678901234567890}'
    await chat('plain', body)
    expect(last().body).toBe(body)
  })
})

describe('model redirect', () => {
  it('rewrites the body model and logs the client model', async () => {
    const res = await chat('rd', '{"model":"my-model","seed":12345678901234567890}')
    expect(res.status).toBe(200)
    expect(last().body).toBe('{"model":"gpt-4o","seed":12345678901234567890}')
    await eventually(async () => {
      const rows = await logsOf('rd')
      expect(rows.some((r) => r.model === 'my-model' && r.status_code === 200)).toBe(true)
    })
  })

  it('strict: refuses an unknown model with 400, no upstream call, a final 400 row', async () => {
    const res = await chat('rd', '{"model":"other"}')
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({
      error: {
        message: "model 'other' is not configured in redirect rules",
        type: 'invalid_request_error',
        code: 'BAD_REQUEST',
      },
    })
    expect(up.requests).toHaveLength(0)
    await eventually(async () => {
      const row = (await logsOf('rd')).find((r) => r.model === 'other')
      expect(row).toMatchObject({ status_code: 400, request_type: 'final' })
    })
  })

  it('loose: passes an unknown model through', async () => {
    expect((await chat('rdl', '{"model":"gpt-4o-mini"}')).status).toBe(200)
    expect(last().body).toBe('{"model":"gpt-4o-mini"}')
  })

  it('Gemini native: rewrites the URL segment, strict refuses others', async () => {
    const body = '{"contents":[{"parts":[{"text":"hi"}]}]}'
    const res = await post('gms', '/v1beta/models/flash:generateContent', body)
    expect(res.status).toBe(200)
    expect(last().path).toBe('/v1beta/models/gemini-2.0-flash:generateContent')
    expect(last().body).toBe(body)
    const miss = await post('gms', '/v1beta/models/gemini-2.5-pro:generateContent', body)
    expect(miss.status).toBe(400)
    expect(up.requests).toHaveLength(1)
  })
})

describe('model list', () => {
  it('OpenAI strict: only configured models, identity encoding requested', async () => {
    const res = await get('rd', '/v1/models')
    expect(res.status).toBe(200)
    const json = await res.json()
    expect(json.data).toEqual([{ id: 'my-model', object: 'model', created: 0, owned_by: 'system' }])
    expect(last().headers['accept-encoding']).toBe('identity')
  })

  it('OpenAI loose: upstream list plus configured ids', async () => {
    const json = await (await get('rdl', '/v1/models')).json()
    const ids = json.data.map((m: { id: string }) => m.id)
    expect(ids).toContain('gpt-4o-mini')
    expect(ids.at(-1)).toBe('my-model')
  })

  it('passes a non-200 list through untouched', async () => {
    const res = await get('rd404', '/v1/models')
    expect(res.status).toBe(404)
    expect(JSON.stringify(await res.json())).not.toContain('my-model')
  })

  it('Gemini native strict and loose', async () => {
    const strict = await (await get('gms', '/v1beta/models')).json()
    expect(strict.models).toEqual([
      {
        name: 'models/flash',
        displayName: 'flash',
        supportedGenerationMethods: ['generateContent'],
      },
    ])
    const loose = await (await get('gml', '/v1beta/models')).json()
    const names = loose.models.map((m: { name: string }) => m.name)
    expect(names).toEqual(['models/gemini-2.0-flash', 'models/gemini-2.5-pro', 'models/flash'])
    const page2 = await (await get('gml', '/v1beta/models?pageToken=abc')).json()
    expect(page2.models).toHaveLength(2)
  })

  it('Gemini OpenAI-compatible list uses the OpenAI shape', async () => {
    const json = await (await get('gms', '/v1beta/openai/models')).json()
    expect(json.data).toEqual([{ id: 'flash', object: 'model', created: 0, owned_by: 'system' }])
  })

  it('groups without redirect rules are not intercepted', async () => {
    const json = await (await get('plain', '/v1/models')).json()
    expect(json.data.map((m: { id: string }) => m.id)).not.toContain('my-model')
    expect(last().headers['accept-encoding']).not.toBe('identity')
  })
})
