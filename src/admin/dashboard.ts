// The dashboard (reference §2.5, §4.8): stat cards, the 24-hour chart and the encryption status.
// Request numbers come from the hourly roll-up; RPM from final log rows of the last 20 minutes.
import { Hono, type Context } from 'hono'
import { z } from 'zod'
import type { Core } from '../core'
import { encryptionStatus } from '../secrets/status'
import type { HourlyStat } from '../store/types'
import { securityWarnings, toWarningLang } from './dashboard-warnings'
import { ok } from './respond'
import { intString, readQuery } from './validate'

const HOUR_MS = 3_600_000
const MIN_MS = 60_000

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits

/** % change from `prev` to `cur`: 100 when growing from nothing, 0 when both are 0. */
const pctChange = (cur: number, prev: number) =>
  prev === 0 ? (cur > 0 ? 100 : 0) : round(((cur - prev) / prev) * 100)

const sum = (rows: HourlyStat[], skip: Set<number>) => {
  let total = 0
  let failed = 0
  for (const r of rows) {
    if (skip.has(r.group_id)) continue
    total += r.success_count + r.failure_count
    failed += r.failure_count
  }
  return { total, failed }
}

/** RFC 3339 in UTC without milliseconds, as Go prints a time.Time. */
const toRfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

const chartLabels = (c: Context): [string, string] => {
  const lang = (c.req.header('accept-language') ?? '').toLowerCase()
  if (lang.startsWith('en')) return ['Success', 'Failed']
  if (lang.startsWith('ja')) return ['成功リクエスト', '失敗リクエスト']
  return ['成功请求', '失败请求']
}

const chartQuery = z.object({ groupId: intString(1).optional() })

export const createDashboardRoutes = (core: Core): Hono => {
  const { store, now, config } = core.deps
  const app = new Hono()

  // Aggregate parents get their own roll-up rows; summing them too would count requests twice.
  const aggregateIds = async () =>
    new Set((await store.listGroups()).filter((g) => g.group_type === 'aggregate').map((g) => g.id))

  app.get('/stats', async (c) => {
    const t = now()
    const [keys, cur10, prev10, rows, skip] = await Promise.all([
      store.countKeys(null),
      store.countLogs({
        from: new Date(t - 10 * MIN_MS),
        to: new Date(t + 1),
        request_type: 'final',
      }),
      store.countLogs({
        from: new Date(t - 20 * MIN_MS),
        to: new Date(t - 10 * MIN_MS),
        request_type: 'final',
      }),
      store.hourlyStats(new Date(t - 48 * HOUR_MS), new Date(t)),
      aggregateIds(),
    ])
    const cut = t - 24 * HOUR_MS
    const cur = sum(
      rows.filter((r) => r.time.getTime() >= cut),
      skip,
    )
    const prev = sum(
      rows.filter((r) => r.time.getTime() < cut),
      skip,
    )
    const curRate = cur.total ? (cur.failed / cur.total) * 100 : 0
    const prevRate = prev.total ? (prev.failed / prev.total) * 100 : 0
    const rpmTrend = pctChange(cur10, prev10)
    const reqTrend = pctChange(cur.total, prev.total)
    const rateTrend = prev.total ? round(curRate - prevRate) : round(curRate)
    return ok(c, {
      key_count: {
        value: keys.active,
        sub_value: keys.invalid,
        sub_value_tip: 'Invalid keys',
        trend: 0,
        trend_is_growth: true,
      },
      rpm: { value: round(cur10 / 10, 1), trend: rpmTrend, trend_is_growth: rpmTrend >= 0 },
      request_count: { value: cur.total, trend: reqTrend, trend_is_growth: reqTrend >= 0 },
      error_rate: {
        value: round(curRate),
        trend: rateTrend,
        // A falling error rate is the good direction; with no history, only 0% is good.
        trend_is_growth: prev.total ? rateTrend < 0 : curRate === 0,
      },
      security_warnings: securityWarnings(
        config.authKey,
        core.cache,
        config.encryptionKey,
        toWarningLang(c.req.header('accept-language')),
        config.notices,
      ),
    })
  })

  app.get('/chart', async (c) => {
    const { groupId } = readQuery(c, chartQuery)
    const first = Math.floor(now() / HOUR_MS) * HOUR_MS - 23 * HOUR_MS
    const end = first + 24 * HOUR_MS
    const [rows, skip] = await Promise.all([
      store.hourlyStats(new Date(first), new Date(end), groupId),
      groupId === undefined ? aggregateIds() : new Set<number>(),
    ])
    const success = new Array<number>(24).fill(0)
    const failed = new Array<number>(24).fill(0)
    for (const r of rows) {
      if (skip.has(r.group_id)) continue
      const i = Math.floor((r.time.getTime() - first) / HOUR_MS)
      success[i]! += r.success_count
      failed[i]! += r.failure_count
    }
    const [okLabel, failLabel] = chartLabels(c)
    return ok(c, {
      labels: success.map((_, i) => toRfc3339(first + i * HOUR_MS)),
      datasets: [
        { label: okLabel, data: success, color: 'rgba(10, 200, 110, 1)' },
        { label: failLabel, data: failed, color: 'rgba(255, 70, 70, 1)' },
      ],
    })
  })

  app.get('/encryption-status', async (c) =>
    ok(c, await encryptionStatus(core.deps.store, core.secrets)),
  )

  // Upstreams whose circuit is open or half-open (src/keys/routes.ts); closed ones are healthy.
  app.get('/upstreams', async (c) => {
    const at = now()
    const circuits = (await core.deps.pool.circuits(at)) ?? new Map()
    const items = [...circuits.values()]
      .filter((v) => v.state !== 'closed')
      .map((v) => ({
        upstream: v.route,
        state: v.state,
        failure: v.failure,
        cause: v.cause,
        since: toRfc3339(v.since),
        retry_at: toRfc3339(v.retryAt),
        probing: v.probing,
      }))
    return ok(c, items)
  })

  return app
}
