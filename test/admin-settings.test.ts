// Admin API: system settings. Writes are all-or-nothing, 400 on bad input, and live at once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SETTING_DEFS } from '../src/config/settings'
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
  max_value?: number
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
      max_value: 10,
      required: false,
    })
    // Every int has a documented range; no other type has one.
    for (const s of byKey.values()) {
      if (s.type !== 'int') expect(s, s.key).not.toHaveProperty('max_value')
      else
        expect([s.min_value, s.max_value], s.key).toEqual([expect.any(Number), expect.any(Number)])
    }
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

  it('accepts each int at both ends of its range', async () => {
    const ints = SETTING_DEFS.filter((d) => d.type === 'int')
    for (const end of ['min', 'max'] as const) {
      const body = Object.fromEntries(ints.map((d) => [d.key, d[end]]))
      expect((await put(body)).status, end).toBe(200)
      for (const d of ints) expect(t.core.cache.settings()[d.key as 'max_retries']).toBe(d[end])
    }
  })

  it('accepts an empty object', async () => {
    expect((await put({})).status).toBe(200)
  })

  const bad: Array<[string, unknown, string]> = [
    ['an unknown key', { max_retries: 1, nope: 1 }, 'nope: is not a setting'],
    ['an int as a string', { max_retries: '5' }, 'max_retries: must be an integer'],
    ['a fractional int', { max_retries: 1.5 }, 'max_retries: must be an integer'],
    ['an int below its minimum', { request_timeout: 0 }, 'request_timeout: must be between 1 and'],
    ['max_retries past its bound', { max_retries: 1e12 }, 'max_retries: must be between 0 and 10'],
    ['max_retries just past it', { max_retries: 11 }, 'max_retries: must be between 0 and 10'],
    [
      'a huge request_timeout',
      { request_timeout: 9e99 },
      'request_timeout: must be between 1 and 86400',
    ],
    [
      'a huge connect_timeout',
      { connect_timeout: 1e15 },
      'connect_timeout: must be between 1 and 300',
    ],
    [
      'an interval past what a timer can hold',
      { key_validation_interval_minutes: 40000 },
      'key_validation_interval_minutes: must be between 1 and 10080',
    ],
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

describe('stored values out of range', () => {
  it('are clamped when loaded, never used raw (rows written by older versions or by hand)', async () => {
    await createGroup('old')
    const group = await t.deps.store.getGroupByName('old')
    // Straight into the store, as an older version without maxima would have written them.
    await t.deps.store.putSettings({
      max_retries: '1000000000000',
      request_timeout: '9e99',
      connect_timeout: '1000000000000000',
      blacklist_threshold: '-5',
      key_validation_interval_minutes: '1.5',
    })
    await t.deps.store.updateGroup(group!.id, {
      config: { max_retries: 1e12, response_header_timeout: 9e99, key_validation_concurrency: 0.5 },
    })
    await t.core.cache.reload()

    const system = t.core.cache.settings()
    expect(system.max_retries).toBe(10)
    expect(system.request_timeout).toBe(86400)
    expect(system.connect_timeout).toBe(300)
    expect(system.blacklist_threshold).toBe(0)
    // Not an integer at all: ignored, the default applies.
    expect(system.key_validation_interval_minutes).toBe(60)
    const old = t.core.cache.byName('old')!.settings
    expect(old.max_retries).toBe(10)
    expect(old.response_header_timeout).toBe(86400)
    expect(old.key_validation_concurrency).toBe(10)

    // The API shows what is in effect.
    const { byKey } = await getSettings()
    expect(byKey.get('max_retries')?.value).toBe(10)
    expect(byKey.get('request_timeout')?.value).toBe(86400)
  })
})
