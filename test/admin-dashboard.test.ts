// Admin API: dashboard cards, chart and encryption status, the logs CSV export, and the Store
// methods behind them (countLogs, logKeys).
import { afterEach, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from './helpers/app'
import { groupInput, HOUR, logRow } from './store.fixtures'

// 12:30 UTC: the chart covers 13:00 yesterday through the 12:00 hour.
const NOW = Date.UTC(2026, 0, 10, 12, 30)
const MIN = 60_000
let t: TestApp

const open = async (over: Parameters<typeof createTestApp>[0] = {}) => {
  t = await createTestApp({ now: () => NOW, ...over })
  return t
}
afterEach(async () => {
  await t.close()
})

const at = (ms: number, ok: boolean, over = {}) =>
  logRow({ timestamp: new Date(ms), is_success: ok, ...over })

const data = async (path: string, headers: Record<string, string> = {}) => {
  const res = await t.api('GET', path, undefined, headers)
  expect(res.status).toBe(200)
  return (await res.json()).data
}

describe('GET /api/dashboard/stats', () => {
  it('computes keys, RPM, requests and error rate with trends', async () => {
    await open()
    const g = await t.deps.store.createGroup(groupInput('g'))
    const agg = await t.deps.store.createGroup(groupInput('agg', { group_type: 'aggregate' }))
    await t.core.keys.add(g.id, ['sk-1', 'sk-2', 'sk-3'])
    const [k1] = await t.deps.store.loadKeys(g.id, 0, 1)
    await t.deps.store.updateKeyHealth([{ id: k1!.id, status: 'invalid', failure_count: 3 }])
    const gid = { group_id: g.id }
    const viaAgg = { group_id: g.id, parent_group_id: agg.id }
    await t.deps.store.insertLogs([
      // Last 10 minutes: 4 final rows (one via the aggregate, counted once), 1 retry.
      at(NOW - 1 * MIN, true, gid),
      at(NOW - 2 * MIN, true, viaAgg),
      at(NOW - 3 * MIN, false, gid),
      at(NOW - 9 * MIN, true, gid),
      { ...at(NOW - 4 * MIN, false, gid), request_type: 'retry' as const },
      // Previous 10 minutes: 2 final rows.
      at(NOW - 11 * MIN, true, gid),
      at(NOW - 19 * MIN, true, gid),
      // The previous day: 2 requests, none failed.
      at(NOW - 30 * HOUR, true, gid),
      at(NOW - 40 * HOUR, true, gid),
    ])
    const d = await data('/api/dashboard/stats')
    expect(d.key_count).toEqual({
      value: 2,
      sub_value: 1,
      sub_value_tip: 'Invalid keys',
      trend: 0,
      trend_is_growth: true,
    })
    expect(d.rpm).toEqual({ value: 0.4, trend: 100, trend_is_growth: true })
    // 6 requests in the last 24 h (the aggregate's own roll-up rows are not added) vs 2.
    expect(d.request_count).toEqual({ value: 6, trend: 200, trend_is_growth: true })
    // 1 of 6 failed: 16.67 %, up from 0 %.
    expect(d.error_rate).toEqual({ value: 16.67, trend: 16.67, trend_is_growth: false })
  })

  it('answers zeros on an empty install', async () => {
    await open()
    const d = await data('/api/dashboard/stats')
    expect(d.rpm).toEqual({ value: 0, trend: 0, trend_is_growth: true })
    expect(d.request_count).toEqual({ value: 0, trend: 0, trend_is_growth: true })
    expect(d.error_rate).toEqual({ value: 0, trend: 0, trend_is_growth: true })
  })

  it('warns about short, weak and reused secrets without echoing them', async () => {
    await open({
      config: { authKey: 'short-key', encryptionKey: 'secret-secret-secret' },
      seedSettings: { proxy_keys: 'password-123456789' },
    })
    await t.deps.store.createGroup(groupInput('g', { proxy_keys: 'gk' }))
    await t.core.cache.reload()
    const d = await data('/api/dashboard/stats')
    const warnings = d.security_warnings as Array<Record<string, string>>
    expect(warnings.map((w) => [w.type, w.severity])).toEqual([
      ['AUTH_KEY', 'high'],
      ['ENCRYPTION_KEY', 'medium'],
      ['PROXY_KEY', 'medium'],
      ['GROUP_PROXY_KEY', 'high'],
    ])
    for (const w of warnings) {
      expect(w.suggestion).not.toBe('')
      expect(w.message).not.toContain('short-key')
      expect(w.message).not.toContain('password-123456789')
      expect(w.message).not.toContain('secret-secret-secret')
    }
    expect(warnings[0]!.message).toBe('AUTH_KEY is shorter than 16 characters')

    // The console in Chinese gets the same warnings in Chinese.
    const zh = (await data('/api/dashboard/stats', { 'accept-language': 'zh-CN,zh;q=0.9' }))
      .security_warnings as Array<Record<string, string>>
    expect(zh.map((w) => [w.type, w.severity])).toEqual(warnings.map((w) => [w.type, w.severity]))
    expect(zh[0]!.message).toBe('AUTH_KEY 少于 16 个字符')
    expect(zh[3]!.message).toMatch(/^分组 'g' 的代理密钥 #1/)
    for (const w of zh) expect(w.suggestion).toMatch(/[\u4e00-\u9fff]/)
  })

  it('flags AUTH_KEY reused as a proxy key, and nothing for strong distinct secrets', async () => {
    // The test helper seeds proxy_keys with the auth key, as v1 does on first start.
    await open({ config: { authKey: 'Xk9-pQ2vLm7wRt4zNb6y' } })
    const reused = (await data('/api/dashboard/stats')).security_warnings
    expect(reused).toEqual([expect.objectContaining({ type: 'PROXY_KEY', severity: 'medium' })])
    await t.deps.store.putSettings({ proxy_keys: 'sk-Zq81xVb3Lm9Rt5Kw2Hy7' })
    await t.core.cache.reload()
    expect((await data('/api/dashboard/stats')).security_warnings).toEqual([])
  })
})

describe('GET /api/dashboard/chart', () => {
  it('gives 24 hourly labels and success/failure series, per group or for all', async () => {
    await open()
    const a = await t.deps.store.createGroup(groupInput('a'))
    const b = await t.deps.store.createGroup(groupInput('b'))
    await t.deps.store.insertLogs([
      at(NOW, true, { group_id: a.id }),
      at(NOW, false, { group_id: b.id }),
      at(NOW - 23 * HOUR, true, { group_id: a.id }),
      at(NOW - 24 * HOUR, true, { group_id: a.id }), // before the first label
    ])
    const all = await data('/api/dashboard/chart')
    expect(all.labels).toHaveLength(24)
    expect(all.labels[0]).toBe('2026-01-09T13:00:00Z')
    expect(all.labels[23]).toBe('2026-01-10T12:00:00Z')
    const [ok, failed] = all.datasets
    expect(ok).toMatchObject({ label: '成功请求', color: 'rgba(10, 200, 110, 1)' })
    expect(failed).toMatchObject({ label: '失败请求', color: 'rgba(255, 70, 70, 1)' })
    expect(ok.data[0]).toBe(1)
    expect(ok.data[23]).toBe(1)
    expect(failed.data[23]).toBe(1)
    expect(ok.data.reduce((x: number, y: number) => x + y)).toBe(2)

    const one = await data(`/api/dashboard/chart?groupId=${b.id}`, { 'accept-language': 'en-US' })
    expect(one.datasets.map((s: { label: string }) => s.label)).toEqual(['Success', 'Failed'])
    expect(one.datasets[0].data.every((n: number) => n === 0)).toBe(true)
    expect(one.datasets[1].data[23]).toBe(1)

    expect((await t.api('GET', '/api/dashboard/chart?groupId=x')).status).toBe(400)
  })
})

describe('GET /api/dashboard/encryption-status', () => {
  it('reports no mismatch', async () => {
    await open()
    expect(await data('/api/dashboard/encryption-status')).toEqual({
      has_mismatch: false,
      scenario_type: '',
      message: '',
      suggestion: '',
    })
  })
})

describe('GET /api/logs/export', () => {
  it('streams one CSV row per key hash (its latest row), ordered by hash', async () => {
    await open()
    await t.deps.store.insertLogs([
      at(NOW - 3 * MIN, true, { key_hash: 'h-b', key_masked: 'sk-b…0001', status_code: 200 }),
      at(NOW - 1 * MIN, false, { key_hash: 'h-b', key_masked: 'sk-b…0001', status_code: 429 }),
      at(NOW - 2 * MIN, true, { key_hash: 'h-a', key_masked: 'sk-a…0002', group_name: 'x,"y"' }),
      at(NOW, false, { key_hash: '', status_code: 500 }), // no key: not exported
    ])
    const res = await t.app.request(`/api/logs/export?key=${t.authKey}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/)
    expect(res.headers.get('content-disposition')).toBe(
      'attachment; filename=log_keys_export_20260110123000.csv',
    )
    expect(await res.text()).toBe(
      'key_value,group_name,status_code\nsk-a…0002,"x,""y""",200\nsk-b…0001,alpha,429\n',
    )
    const filtered = await t.api('GET', '/api/logs/export?status_code=200')
    expect(await filtered.text()).toBe(
      'key_value,group_name,status_code\nsk-a…0002,"x,""y""",200\nsk-b…0001,alpha,200\n',
    )
  })

  it('pages through more keys than one store page', async () => {
    await open()
    const rows = Array.from({ length: 2500 }, (_, i) =>
      at(NOW, true, { key_hash: `h-${String(i).padStart(5, '0')}`, key_masked: `m${i}` }),
    )
    await t.deps.store.insertLogs(rows)
    const lines = (await (await t.api('GET', '/api/logs/export')).text()).trim().split('\n')
    expect(lines).toHaveLength(2501)
    expect(lines[2500]).toBe('m2499,alpha,200')
  })

  it('needs admin auth and rejects bad filters', async () => {
    await open()
    expect((await t.app.request('/api/logs/export')).status).toBe(401)
    expect((await t.api('GET', '/api/logs/export?status_code=abc')).status).toBe(400)
  })
})

describe('Store.countLogs', () => {
  it('counts rows in a half-open window, optionally by request type', async () => {
    await open()
    await t.deps.store.insertLogs([
      at(NOW - 5 * MIN, true),
      { ...at(NOW - 5 * MIN, false), request_type: 'retry' as const },
      at(NOW, true),
    ])
    const s = t.deps.store
    const from = new Date(NOW - 10 * MIN)
    expect(await s.countLogs({ from, to: new Date(NOW) })).toBe(2)
    expect(await s.countLogs({ from, to: new Date(NOW + 1) })).toBe(3)
    expect(await s.countLogs({ from, to: new Date(NOW + 1), request_type: 'final' })).toBe(2)
  })
})
