// Admin API: system settings. Writes are all-or-nothing, 400 on bad input, and live at once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SETTING_DEFS } from '../src/settings'
import { createTestApp, type TestApp } from './helpers/app'

let t: TestApp

beforeEach(async () => {
  t = await createTestApp()
})
afterEach(async () => {
  await t.close()
})

interface SettingItem {
  key: string
  value: unknown
  type: string
  default_value: string
  min_value?: number
  required: boolean
}

const getSettings = async () => {
  const res = await t.api('GET', '/api/settings')
  expect(res.status).toBe(200)
  const data = (await res.json()).data as Array<{ category_name: string; settings: SettingItem[] }>
  return { data, byKey: new Map(data.flatMap((c) => c.settings).map((s) => [s.key, s])) }
}

const put = async (body: unknown) => {
  const res = await t.api('PUT', '/api/settings', body)
  return { status: res.status, body: await res.json() }
}

const createGroup = async (name: string, config: Record<string, unknown> = {}) => {
  const res = await t.api('POST', '/api/groups', {
    name,
    channel_type: 'openai',
    upstreams: [{ url: 'https://api.openai.com', weight: 1 }],
    config,
  })
  expect(res.status).toBe(200)
}

describe('GET /api/settings', () => {
  it('lists every setting by category, in order, with v1 fields', async () => {
    const { data, byKey } = await getSettings()
    expect(data.map((c) => c.category_name)).toEqual(['Basic', 'Request', 'Key'])
    expect(byKey.size).toBe(SETTING_DEFS.length)
    expect(data[0].settings[0].key).toBe('app_url')
    expect(byKey.get('proxy_keys')).toMatchObject({
      value: t.authKey,
      type: 'string',
      required: true,
    })
    expect(byKey.get('max_retries')).toEqual({
      key: 'max_retries',
      name: expect.any(String),
      value: 3,
      type: 'int',
      default_value: '3',
      description: expect.any(String),
      category: 'Key',
      min_value: 0,
      required: false,
    })
    expect(byKey.get('enable_request_body_logging')).toMatchObject({ value: false, type: 'bool' })
    expect(byKey.get('proxy_url')).not.toHaveProperty('min_value')
  })
})

describe('PUT /api/settings', () => {
  it('writes typed values and takes effect without a restart', async () => {
    await createGroup('plain')
    await createGroup('pinned', { max_retries: 9 })
    expect(t.core.cache.byName('plain')?.settings.max_retries).toBe(3)

    const r = await put({
      max_retries: 5,
      enable_request_body_logging: true,
      failover_status_codes: '429,500-599',
      proxy_keys: ' k1 , k2,, ',
    })
    expect(r).toEqual({ status: 200, body: { code: 0, message: 'Settings updated' } })

    expect(t.core.cache.settings().max_retries).toBe(5)
    expect(t.core.cache.byName('plain')?.settings.max_retries).toBe(5)
    expect(t.core.cache.byName('plain')?.failover(429)).toBe(true)
    expect(t.core.cache.byName('plain')?.failover(401)).toBe(false)
    expect(t.core.cache.byName('pinned')?.settings.max_retries).toBe(9)
    expect(t.core.cache.globalProxyKeys()).toEqual(['k1', 'k2'])

    const { byKey } = await getSettings()
    expect(byKey.get('max_retries')?.value).toBe(5)
    expect(byKey.get('enable_request_body_logging')?.value).toBe(true)
    expect(byKey.get('proxy_keys')?.value).toBe('k1,k2')
    expect(await t.deps.store.getSettings()).toMatchObject({
      max_retries: '5',
      enable_request_body_logging: 'true',
    })
  })

  it('accepts an empty object', async () => {
    expect((await put({})).status).toBe(200)
  })

  const bad: Array<[string, unknown, string]> = [
    ['an unknown key', { max_retries: 1, nope: 1 }, 'nope: is not a setting'],
    ['an int as a string', { max_retries: '5' }, 'max_retries: must be an integer'],
    ['a fractional int', { max_retries: 1.5 }, 'max_retries: must be an integer'],
    ['an int below its minimum', { request_timeout: 0 }, 'request_timeout: must be at least 1'],
    [
      'a bool as a string',
      { enable_request_body_logging: 'true' },
      'enable_request_body_logging: must be true or false',
    ],
    ['a required string left empty', { app_url: ' ' }, 'app_url: is required'],
    ['a string as a number', { proxy_url: 5 }, 'proxy_url: must be a string'],
    ['malformed failover codes', { failover_status_codes: '4xx' }, 'failover_status_codes: '],
    ['a null value', { max_retries: null }, 'max_retries: must be an integer'],
    ['an array body', [1], 'body: '],
  ]

  it.each(bad)('rejects %s with 400 and writes nothing', async (_label, body, message) => {
    const before = await t.deps.store.getSettings()
    const r = await put(body)
    expect(r.status).toBe(400)
    expect(r.body.code).toBe('VALIDATION_FAILED')
    expect(r.body.message).toContain(message)
    expect(await t.deps.store.getSettings()).toEqual(before)
    expect(t.core.cache.settings().max_retries).toBe(3)
  })

  it('names every bad key at once and keeps the good ones unwritten', async () => {
    const r = await put({ max_retries: 4, blacklist_threshold: -1, connect_timeout: 'x' })
    expect(r.status).toBe(400)
    expect(r.body.message).toContain('blacklist_threshold')
    expect(r.body.message).toContain('connect_timeout')
    expect((await getSettings()).byKey.get('max_retries')?.value).toBe(3)
  })

  it('rejects malformed JSON and a missing admin key', async () => {
    const malformed = await put('{"max_retries": ')
    expect(malformed.status).toBe(400)
    expect(malformed.body.code).toBe('INVALID_JSON')
    const anon = await t.app.request('/api/settings', {
      method: 'PUT',
      body: JSON.stringify({ max_retries: 0 }),
    })
    expect(anon.status).toBe(401)
    expect((await getSettings()).byKey.get('max_retries')?.value).toBe(3)
  })
})
