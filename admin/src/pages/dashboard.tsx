// The dashboard (reference §1.14): encryption and security alerts, four stat cards with their
// trend, and the 24-hour success/failure chart.
import { useState } from 'preact/hooks'
import type { MessageId } from '../i18n'
import { usePrefs, useSession } from '../prefs'
import type {
  ChartData,
  DashboardStats,
  EncryptionStatus,
  StatCard,
  UpstreamCircuit,
} from '../types'
import { Loaded, useResource } from '../ui'
import { Chart } from './chart'
import { ChartGroupSelect } from './groups/chart-group'

const Card = (props: { label: MessageId; card: StatCard; unit?: string; sub?: string }) => {
  const { t } = usePrefs()
  const { card } = props
  const dir = card.trend > 0 ? '▲' : '▼'
  const tone = card.trend === 0 ? 'flat' : card.trend_is_growth ? 'good' : 'bad'
  return (
    <section class="card stat" aria-label={t(props.label)}>
      <h2>{t(props.label)}</h2>
      <p class="stat-value" data-stat={props.label}>
        {card.value.toLocaleString()}
        {props.unit}
      </p>
      <p class="stat-foot">
        {card.trend === 0 ? (
          <span class="trend trend-flat">{t('dash.flat')}</span>
        ) : (
          <>
            <span class={`trend trend-${tone}`}>
              {dir} {Math.abs(card.trend)}%
            </span>{' '}
            {t('dash.trend')}
          </>
        )}
      </p>
      {props.sub && <p class="stat-sub">{props.sub}</p>}
    </section>
  )
}

const Stats = ({ s }: { s: DashboardStats }) => {
  const { t } = usePrefs()
  return (
    <>
      {s.security_warnings.length > 0 && (
        <section class="alert alert-warn" aria-labelledby="sec-title">
          <h2 id="sec-title">{t('dash.security')}</h2>
          <ul class="plain">
            {s.security_warnings.map((w) => (
              <li>
                <span class={`badge badge-${w.severity}`}>
                  {t(w.severity === 'high' ? 'dash.high' : 'dash.medium')}
                </span>{' '}
                {w.message}
                <br />
                <small>
                  {t('dash.suggestion')}: {w.suggestion}
                </small>
              </li>
            ))}
          </ul>
        </section>
      )}
      <div class="stats">
        <Card
          label="dash.keys"
          card={s.key_count}
          sub={t('dash.invalid', { n: s.key_count.sub_value ?? 0 })}
        />
        <Card label="dash.rpm" card={s.rpm} />
        <Card label="dash.requests" card={s.request_count} />
        <Card label="dash.errorRate" card={s.error_rate} unit="%" />
      </div>
    </>
  )
}

/** Upstreams with an incident: state, cause, since when, and when the next probe goes. */
const Upstreams = ({ items }: { items: UpstreamCircuit[] }) => {
  const { t } = usePrefs()
  const time = (iso: string) => new Date(iso).toLocaleString()
  return (
    <section class="card" aria-labelledby="upstreams-title">
      <h2 id="upstreams-title">{t('dash.upstreams')}</h2>
      {items.length === 0 ? (
        <p data-upstreams="ok">{t('dash.upstreamsOk')}</p>
      ) : (
        <div class="table-wrap">
          <table class="table" data-upstreams="incidents">
            <thead>
              <tr>
                <th>{t('dash.upstream')}</th>
                <th>{t('dash.state')}</th>
                <th>{t('dash.cause')}</th>
                <th>{t('dash.since')}</th>
                <th>{t('dash.retryAt')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((u) => (
                <tr key={u.upstream}>
                  <td>
                    <code>{u.upstream}</code>
                  </td>
                  <td>
                    <span class={`badge badge-${u.state === 'open' ? 'high' : 'medium'}`}>
                      {t(u.state === 'open' ? 'dash.open' : 'dash.half_open')}
                    </span>
                  </td>
                  <td>{u.cause}</td>
                  <td>{time(u.since)}</td>
                  <td>{time(u.retry_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}

export const Dashboard = () => {
  const { t, lang } = usePrefs()
  const { api } = useSession()
  const stats = useResource(() => api.get<DashboardStats>('/dashboard/stats'), [api])
  const [chartGroup, setChartGroup] = useState('')
  const chart = useResource(
    () => api.get<ChartData>('/dashboard/chart', { groupId: chartGroup }),
    [api, chartGroup],
  )
  const enc = useResource(() => api.get<EncryptionStatus>('/dashboard/encryption-status'), [api])
  const upstreams = useResource(() => api.get<UpstreamCircuit[]>('/dashboard/upstreams'), [api])
  return (
    <>
      <h1>{t('nav.dashboard')}</h1>
      {enc.data?.has_mismatch && (
        <section class="alert alert-error" role="alert">
          <strong>{t('dash.encryption')}:</strong> {enc.data.message} <br />
          <small>{enc.data.suggestion}</small>
        </section>
      )}
      <Loaded res={stats}>{(s) => <Stats s={s} />}</Loaded>
      <Loaded res={upstreams}>{(u) => <Upstreams items={u} />}</Loaded>
      <section class="card" aria-labelledby="chart-title">
        <div class="chart-head">
          <h2 id="chart-title">{t('dash.chart')}</h2>
          <ChartGroupSelect value={chartGroup} onChange={setChartGroup} />
        </div>
        <Loaded res={chart}>{(c) => <Chart data={c} lang={lang} />}</Loaded>
      </section>
    </>
  )
}
