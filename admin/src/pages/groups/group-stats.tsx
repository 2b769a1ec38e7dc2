// A group's request stats over 24 hours, 7 and 30 days, and (standard groups) its key counts.
import type { MessageId } from '../../i18n'
import { usePrefs, useSession } from '../../prefs'
import type { Group, GroupStats as Stats, WindowStats } from '../../types'
import { Loaded, useResource } from '../../ui'

const WINDOWS: { key: keyof Stats; label: MessageId }[] = [
  { key: 'stats_24_hour', label: 'grp.stats24h' },
  { key: 'stats_7_day', label: 'grp.stats7d' },
  { key: 'stats_30_day', label: 'grp.stats30d' },
]

const percent = (rate: number) => `${Math.round(rate * 1000) / 10}%`

export const GroupStats = ({ group, version }: { group: Group; version: number }) => {
  const { t } = usePrefs()
  const { api } = useSession()
  const res = useResource(
    () => api.get<Stats>(`/groups/${group.id}/stats`),
    [api, group.id, version],
  )
  return (
    <section class="card" aria-labelledby="gs-title">
      <h2 id="gs-title">{t('grp.stats')}</h2>
      <Loaded res={res}>
        {(s) => (
          <>
            {group.group_type === 'standard' && (
              <p class="key-counts">
                <span>{t('grp.keysTotal', { n: s.key_stats.total_keys })}</span>
                <span class="badge badge-active">
                  {t('grp.keysActive', { n: s.key_stats.active_keys })}
                </span>
                <span class="badge badge-invalid">
                  {t('grp.keysInvalid', { n: s.key_stats.invalid_keys })}
                </span>
                <span class="badge">{t('grp.keysDisabled', { n: s.key_stats.disabled_keys })}</span>
              </p>
            )}
            <div class="window-stats">
              {WINDOWS.map(({ key, label }) => {
                const w = s[key] as WindowStats
                return (
                  <div class="window" data-window={key}>
                    <h3>{t(label)}</h3>
                    <p class="stat-value">{w.total_requests.toLocaleString()}</p>
                    <p class="muted small">
                      {t('grp.failed', { n: w.failed_requests, rate: percent(w.failure_rate) })}
                    </p>
                  </div>
                )
              })}
            </div>
          </>
        )}
      </Loaded>
    </section>
  )
}
