// The console's pure modules: the Logs URL state and the group form model.
import { describe, expect, it } from 'vitest'
import { createTranslate } from '../admin/src/i18n/index'
import {
  emptyForm,
  generateKey,
  parseFailoverRules,
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
import { toRangeErrors } from '../admin/src/pages/setting-range'
import type { ConfigOption, GroupFull, SettingMeta } from '../admin/src/types'

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
    failover_rules: [{ status: 400, code: 'context_length_exceeded', action: 'failover' }],
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
      failover_rules: [{ status: 400, code: 'context_length_exceeded', action: 'failover' }],
    })
    // group_type cannot change after creation, so an edit does not send it
    expect(body).not.toHaveProperty('group_type')
  })

  it('reads the failover rules text as a list, refusing anything else before sending', () => {
    expect(parseFailoverRules('')).toEqual({ ok: true, value: [] })
    expect(parseFailoverRules('[{"status":429,"action":"return"}]')).toEqual({
      ok: true,
      value: [{ status: 429, action: 'return' }],
    })
    expect(parseFailoverRules('{"status":429}')).toEqual({ ok: false, reason: 'not a list' })
    expect(parseFailoverRules('[').ok).toBe(false)
    // A group without rules shows an empty box and sends an empty list.
    const form = toForm({ ...group, failover_rules: [] } as GroupFull)
    expect(form.failover_rules).toBe('')
    expect(toBody(form, options, {}, true).failover_rules).toEqual([])
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

describe('settings range check', () => {
  const meta = (
    key: string,
    type: SettingMeta['type'],
    min?: number,
    max?: number,
  ): SettingMeta => ({
    key,
    name: key,
    value: 0,
    type,
    default_value: '',
    description: '',
    category: 'Key',
    required: false,
    ...(min !== undefined ? { min_value: min } : {}),
    ...(max !== undefined ? { max_value: max } : {}),
  })
  const all = [meta('max_retries', 'int', 0, 10), meta('app_url', 'string')]

  it("refuses changed ints outside the API's range, in the UI language", () => {
    const en = createTranslate('en')
    expect(toRangeErrors(all, { max_retries: 11, app_url: 'x' }, en)).toEqual({
      max_retries: 'Must be a whole number from 0 to 10.',
    })
    expect(toRangeErrors(all, { max_retries: 'many' }, en)).toHaveProperty('max_retries')
    expect(toRangeErrors(all, { max_retries: -1 }, createTranslate('zh')).max_retries).toMatch(
      /0 至 10/,
    )
    expect(toRangeErrors(all, { max_retries: 10 }, en)).toEqual({})
    expect(toRangeErrors(all, {}, en)).toEqual({})
  })
})
