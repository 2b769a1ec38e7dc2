// The console's pure modules: the Logs URL state, the group form model, the API client's envelope
// handling (through a real HTTP server on 127.0.0.1) and the message catalogues.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ApiError, checkAdminKey, createApi } from '../admin/src/api'
import { en } from '../admin/src/i18n/en'
import { groupsEn, groupsZh } from '../admin/src/i18n/groups'
import { createTranslate, type MessageId } from '../admin/src/i18n/index'
import { keysEn, keysZh } from '../admin/src/i18n/keys'
import { logsEn, logsZh } from '../admin/src/i18n/logs'
import { toSettingText } from '../admin/src/i18n/settings'
import { zh } from '../admin/src/i18n/zh'
import { SETTING_DEFS } from '../src/setting-defs'
import {
  emptyForm,
  generateKey,
  parseParamOverrides,
  toBody,
  toFieldErrors,
  toReadableErrors,
  toForm,
} from '../admin/src/pages/groups/form-model'
import {
  fromLocalInput,
  toApiQuery,
  toHref,
  toLocalInput,
  toView,
} from '../admin/src/pages/logs/query'
import type { ConfigOption, GroupFull } from '../admin/src/types'

describe('logs query', () => {
  const queryOf = (href: string) =>
    Object.fromEntries(new URL(href, 'http://x').searchParams) as Record<string, string>

  it('round-trips filters, page and size through the URL', () => {
    const view = {
      filters: { group_name: 'alpha', is_success: 'false', start_time: '2026-01-02T03:04:00Z' },
      page: 3,
      pageSize: 50,
    }
    const href = toHref(view)
    expect(href.startsWith('/logs?')).toBe(true)
    expect(toView(queryOf(href))).toEqual(view)
  })

  it('leaves empty filters, page 1 and the default size out of the link', () => {
    expect(toHref({ filters: { model: '  ', key_value: '' }, page: 1, pageSize: 20 })).toBe('/logs')
    expect(toHref({ filters: { model: ' gpt ' }, page: 1, pageSize: 20 })).toBe('/logs?model=gpt')
  })

  it('ignores unknown parameters and falls back on bad page values', () => {
    const view = toView({ bogus: '1', model: 'm', page: '-2', page_size: '37' })
    expect(view).toEqual({ filters: { model: 'm' }, page: 1, pageSize: 20 })
    expect(toView({ page: '2.5', page_size: 'abc' })).toMatchObject({ page: 1, pageSize: 20 })
  })

  it('sends filters plus paging to the API', () => {
    expect(toApiQuery({ filters: { status_code: '429' }, page: 2, pageSize: 100 })).toEqual({
      status_code: '429',
      page: 2,
      page_size: 100,
    })
  })

  it('converts between RFC 3339 in UTC and the local datetime input', () => {
    const iso = '2026-03-04T05:06:00Z'
    const local = toLocalInput(iso)
    expect(local).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/)
    expect(fromLocalInput(local)).toBe(iso)
    expect(toLocalInput('not a date')).toBe('')
    expect(toLocalInput(undefined)).toBe('')
    expect(fromLocalInput('')).toBe('')
    expect(fromLocalInput('garbage')).toBe('')
  })
})

describe('group form model', () => {
  const options: ConfigOption[] = [
    { key: 'max_retries', name: 'Max retries', description: '', default_value: 3 },
    { key: 'enable_request_body_logging', name: 'Log', description: '', default_value: false },
    { key: 'proxy_url', name: 'Proxy', description: '', default_value: '' },
  ]

  const group = {
    id: 7,
    name: 'alpha',
    display_name: 'Alpha',
    description: 'team',
    group_type: 'standard',
    channel_type: 'openai',
    upstreams: [{ url: 'https://a.example', weight: 2 }],
    test_model: 'gpt-4o-mini',
    validation_endpoint: '/v1/chat/completions',
    proxy_keys: 'sk-a,sk-b',
    config: { max_retries: 5 },
    model_redirect_rules: { 'gpt-x': 'gpt-4o' },
    model_redirect_strict: true,
    header_rules: [{ key: 'X-Team', value: 'red', action: 'set' }],
    param_overrides: { temperature: 0.3 },
  } as unknown as GroupFull

  it('turns a group into form state and back into the same body', () => {
    const form = toForm(group)
    expect(form.proxy_keys).toBe('sk-a\nsk-b')
    expect(form.config).toEqual({ max_retries: '5' })
    const parsed = parseParamOverrides(form.param_overrides)
    expect(parsed).toEqual({ ok: true, value: { temperature: 0.3 } })
    const body = toBody(form, options, parsed.ok ? parsed.value : {}, true)
    expect(body).toMatchObject({
      name: 'alpha',
      channel_type: 'openai',
      upstreams: [{ url: 'https://a.example', weight: 2 }],
      test_model: 'gpt-4o-mini',
      config: { max_retries: 5 },
      model_redirect_rules: { 'gpt-x': 'gpt-4o' },
      model_redirect_strict: true,
      header_rules: [{ key: 'X-Team', value: 'red', action: 'set' }],
      param_overrides: { temperature: 0.3 },
    })
    // group_type cannot change after creation, so an edit does not send it
    expect(body).not.toHaveProperty('group_type')
  })

  it('shows "-" (no test model) as an empty input', () => {
    expect(toForm({ ...group, test_model: '-' } as GroupFull).test_model).toBe('')
  })

  it('trims, drops blank rows and types config values by their default', () => {
    const form = {
      ...emptyForm('gemini'),
      name: ' beta ',
      upstreams: [
        { url: ' https://b.example ', weight: '3' },
        { url: '', weight: '' },
      ],
      redirects: [{ from: ' ', to: '' }],
      headers: [
        { key: ' X-Drop ', value: 'ignored', action: 'remove' as const },
        { key: '  ', value: 'v', action: 'set' as const },
      ],
      config: { max_retries: ' 4 ', enable_request_body_logging: 'true', proxy_url: '' },
    }
    const body = toBody(form, options, {}, false)
    expect(body).toMatchObject({
      name: 'beta',
      group_type: 'standard',
      channel_type: 'gemini',
      upstreams: [{ url: 'https://b.example', weight: 3 }],
      model_redirect_rules: {},
      header_rules: [{ key: 'X-Drop', value: '', action: 'remove' }],
      config: { max_retries: 4, enable_request_body_logging: true },
    })
    expect(body.config).not.toHaveProperty('proxy_url')
  })

  it('passes a non-integer number through as text, so the API names the problem', () => {
    const form = { ...emptyForm('openai'), upstreams: [{ url: 'https://c', weight: '1.5' }] }
    form.config = { max_retries: 'many' }
    const body = toBody(form, options, {}, false)
    expect(body.upstreams).toEqual([{ url: 'https://c', weight: '1.5' }])
    expect(body.config).toEqual({ max_retries: 'many' })
  })

  it('sends no upstreams, model or redirects for an aggregate, and no channel on edit', () => {
    const form = { ...emptyForm('openai'), name: 'agg', group_type: 'aggregate' as const }
    const created = toBody(form, options, {}, false)
    expect(created).toMatchObject({ group_type: 'aggregate', channel_type: 'openai' })
    for (const field of ['upstreams', 'test_model', 'validation_endpoint', 'model_redirect_rules'])
      expect(created).not.toHaveProperty(field)
    expect(toBody(form, options, {}, true)).not.toHaveProperty('channel_type')
  })

  it('accepts only a JSON object as parameter overrides', () => {
    expect(parseParamOverrides('   ')).toEqual({ ok: true, value: {} })
    expect(parseParamOverrides('{"top_p": 1}')).toEqual({ ok: true, value: { top_p: 1 } })
    for (const text of ['[1]', 'null', '42', '"s"']) {
      expect(parseParamOverrides(text)).toEqual({ ok: false, reason: 'not an object' })
    }
    const broken = parseParamOverrides('{"a":')
    expect(broken.ok).toBe(false)
    expect(broken.ok ? '' : broken.reason).not.toBe('')
  })

  it('splits the API message by field', () => {
    expect(
      toFieldErrors(
        'upstreams.0.url: must be an http(s) URL; name: too long; group name "a" already exists; boom',
      ),
    ).toEqual({
      upstreams: 'upstreams.0.url: must be an http(s) URL',
      name: 'name: too long; group name "a" already exists',
      '': 'boom',
    })
  })

  it('names a refused row by the label of its input, in the UI language', () => {
    const errors = toFieldErrors(
      'upstreams.1.weight: must be at least 0; header_rules.0.key: required; name: too long',
    )
    expect(toReadableErrors(errors, createTranslate('en'))).toEqual({
      upstreams: 'Upstream 2 weight: must be at least 0',
      header_rules: 'Header 1 name: required',
      name: 'name: too long',
    })
    expect(toReadableErrors(errors, createTranslate('zh')).upstreams).toMatch(/^上游 2/)
  })

  it('generates sk- plus 48 letters and digits, different each time', () => {
    const keys = Array.from({ length: 200 }, generateKey)
    for (const k of keys) expect(k).toMatch(/^sk-[A-Za-z0-9]{48}$/)
    expect(new Set(keys).size).toBe(keys.length)
    // every character class shows up across 9,600 draws; a biased alphabet would miss some
    const seen = new Set(keys.join('').replaceAll('sk-', ''))
    expect(seen.size).toBe(62)
  })
})

describe('api client', () => {
  type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void
  let server: Server
  let handler: Handler = (_req, _body, res) => res.end()
  const seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] =
    []
  // Node's fetch resolves relative URLs ('/api/…', as the browser does) against this origin.
  const ORIGIN = Symbol.for('undici.globalOrigin.1')
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(body))
  }

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = ''
      req.on('data', (c: Buffer) => (body += c))
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, headers: req.headers, body })
        handler(req, body, res)
      })
    })
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
    const { port } = server.address() as AddressInfo
    ;(globalThis as Record<symbol, unknown>)[ORIGIN] = new URL(`http://127.0.0.1:${port}`)
  })
  afterEach(() => {
    seen.length = 0
  })
  afterAll(async () => {
    delete (globalThis as Record<symbol, unknown>)[ORIGIN]
    await new Promise((done) => server.close(done))
  })

  const rejection = async (p: Promise<unknown>) => {
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(ApiError)
    return err as ApiError
  }

  it('unwraps data and sends the key, language, query and JSON body', async () => {
    handler = (_req, _body, res) => json(res, 200, { code: 0, message: 'ok', data: { id: 9 } })
    const api = createApi('k-1', 'zh-CN', () => {})
    expect(await api.get('/groups', { a: 1, empty: '', none: undefined, b: true })).toEqual({
      id: 9,
    })
    expect(await api.put('/groups/9', { name: 'x' })).toEqual({ id: 9 })
    expect(seen[0]).toMatchObject({ method: 'GET', url: '/api/groups?a=1&b=true' })
    expect(seen[0]!.headers).toMatchObject({
      authorization: 'Bearer k-1',
      'accept-language': 'zh-CN',
    })
    expect(seen[1]).toMatchObject({ method: 'PUT', url: '/api/groups/9', body: '{"name":"x"}' })
    expect(seen[1]!.headers['content-type']).toBe('application/json')
  })

  it('turns an error envelope into an ApiError with its status, code and message', async () => {
    handler = (_req, _body, res) =>
      json(res, 400, { code: 'VALIDATION_FAILED', message: 'name: required' })
    const err = await rejection(createApi('k', 'en-US', () => {}).post('/groups', {}))
    expect([err.status, err.code, err.message]).toEqual([
      400,
      'VALIDATION_FAILED',
      'name: required',
    ])
  })

  it('treats a 200 with a non-zero code as a failure', async () => {
    handler = (_req, _body, res) => json(res, 200, { code: 'CONFLICT', message: 'busy' })
    const err = await rejection(createApi('k', 'en-US', () => {}).del('/keys/1'))
    expect([err.status, err.code, err.message]).toEqual([200, 'CONFLICT', 'busy'])
  })

  it('uses `error` or the HTTP status when the body has no message', async () => {
    handler = (_req, _body, res) => json(res, 502, { error: 'bad gateway upstream' })
    expect((await rejection(createApi('k', 'en', () => {}).get('/x'))).message).toBe(
      'bad gateway upstream',
    )
    handler = (_req, _body, res) => {
      res.writeHead(503, 'Service Unavailable', { 'content-type': 'text/html' })
      res.end('<h1>down</h1>')
    }
    const err = await rejection(createApi('k', 'en', () => {}).get('/x'))
    expect([err.status, err.code, err.message]).toEqual([
      503,
      'HTTP_ERROR',
      'HTTP 503 Service Unavailable',
    ])
  })

  it('rejects a 200 whose body is not JSON', async () => {
    handler = (_req, _body, res) => res.end('not json')
    const err = await rejection(createApi('k', 'en', () => {}).get('/x'))
    expect([err.status, err.code]).toEqual([200, 'HTTP_ERROR'])
  })

  it('calls onUnauthorized on a 401, and only then', async () => {
    let calls = 0
    const api = createApi('old', 'en', () => calls++)
    handler = (_req, _body, res) => json(res, 403, { code: 'FORBIDDEN', message: 'no' })
    await rejection(api.get('/x'))
    expect(calls).toBe(0)
    handler = (_req, _body, res) => json(res, 401, { code: 'UNAUTHORIZED', message: 'bad key' })
    expect((await rejection(api.get('/x'))).status).toBe(401)
    expect((await rejection(api.download('/logs/export'))).status).toBe(401)
    expect(calls).toBe(2)
  })

  it('downloads a file with the filename from content-disposition', async () => {
    handler = (_req, _body, res) => {
      res.writeHead(200, {
        'content-type': 'text/csv',
        'content-disposition': 'attachment; filename="logs-2026.csv"',
      })
      res.end('a,b\n1,2\n')
    }
    const file = await createApi('k', 'en', () => {}).download('/logs/export', { model: 'm' })
    expect(file.filename).toBe('logs-2026.csv')
    expect(await file.blob.text()).toBe('a,b\n1,2\n')
    expect(seen[0]!.url).toBe('/api/logs/export?model=m')
    expect(seen[0]!.headers.authorization).toBe('Bearer k')
  })

  it('reports an unreachable gateway as a NETWORK error', async () => {
    const origin = (globalThis as Record<symbol, unknown>)[ORIGIN]
    // port 1 on loopback: nothing listens there, so the connection is refused
    ;(globalThis as Record<symbol, unknown>)[ORIGIN] = new URL('http://127.0.0.1:1')
    try {
      const err = await rejection(createApi('k', 'en', () => {}).get('/x'))
      expect([err.status, err.code, err.message]).toEqual([
        0,
        'NETWORK',
        'The gateway cannot be reached. Is it running?',
      ])
      const zh = await rejection(createApi('k', 'zh-CN', () => {}).get('/x'))
      expect(zh.message).toMatch(/^无法连接到网关/)
      expect((await rejection(checkAdminKey('k', 'zh-CN'))).message).toMatch(/^无法连接到网关/)
    } finally {
      ;(globalThis as Record<symbol, unknown>)[ORIGIN] = origin
    }
  })

  it('checks the admin key: true, false on 401, ApiError otherwise', async () => {
    handler = (_req, _body, res) => json(res, 200, { success: true, message: 'ok' })
    expect(await checkAdminKey('good')).toBe(true)
    expect(JSON.parse(seen[0]!.body)).toEqual({ auth_key: 'good' })
    handler = (_req, _body, res) => json(res, 401, { success: false, message: 'no' })
    expect(await checkAdminKey('bad')).toBe(false)
    handler = (_req, _body, res) => json(res, 500, { message: 'db down' })
    const err = await rejection(checkAdminKey('x'))
    expect([err.status, err.message]).toEqual([500, 'db down'])
  })
})

describe('i18n', () => {
  const catalogues: [string, Record<string, string>, Record<string, string>][] = [
    ['common', en, zh],
    ['logs', logsEn, logsZh],
    ['keys', keysEn, keysZh],
    ['groups', groupsEn, groupsZh],
  ]
  const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

  it.each(catalogues)('%s: every language has every id, none empty', (_name, enMsgs, zhMsgs) => {
    expect(Object.keys(zhMsgs).sort()).toEqual(Object.keys(enMsgs).sort())
    for (const [id, text] of [...Object.entries(enMsgs), ...Object.entries(zhMsgs)])
      expect(text.trim(), id).not.toBe('')
  })

  it.each(catalogues)('%s: both languages use the same {vars}', (_name, enMsgs, zhMsgs) => {
    for (const id of Object.keys(enMsgs))
      expect(placeholders(zhMsgs[id] ?? ''), id).toEqual(placeholders(enMsgs[id]!))
  })

  it('no id is defined twice across catalogues', () => {
    const ids = catalogues.flatMap(([, e]) => Object.keys(e))
    expect(ids.length).toBe(new Set(ids).size)
  })

  it('every system setting, overridable ones included, has a Chinese name and description', () => {
    for (const d of SETTING_DEFS) {
      const text = toSettingText('zh', d)
      expect(text.name, d.key).not.toBe(d.name)
      expect(text.description, d.key).not.toBe(d.description)
      expect(text.name + text.description, d.key).toMatch(/[\u4e00-\u9fff]/)
    }
    expect(toSettingText('en', SETTING_DEFS[0]!).name).toBe(SETTING_DEFS[0]!.name)
  })

  it('substitutes {vars}, blanks missing ones and leaves plain text alone', () => {
    const t = createTranslate('en')
    expect(t('common.page', { page: 2, pages: 5, total: 98 })).toBe('Page 2 of 5 · 98 in all')
    expect(t('grp.moved', { name: 'alpha', pos: 3 })).toBe('alpha moved to position 3')
    expect(t('grp.moved', { name: 'alpha' })).toBe('alpha moved to position ')
    expect(t('app.name')).toBe('edgeload')
    const tz = createTranslate('zh')
    expect(tz('common.page' as MessageId, { page: 1, pages: 1, total: 0 })).toMatch(/1.*1.*0/)
    expect(tz('nav.dashboard')).toBe('仪表盘')
  })
})
