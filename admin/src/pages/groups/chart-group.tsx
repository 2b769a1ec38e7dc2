// The dashboard chart's group selector (GET /api/dashboard/chart?groupId=): all groups, or one.
import { usePrefs, useSession } from '../../prefs'
import { useResource } from '../../ui'
import '../../styles/groups.css'

export const ChartGroupSelect = (props: { value: string; onChange(id: string): void }) => {
  const { t } = usePrefs()
  const { api } = useSession()
  const groups = useResource(
    () => api.get<{ id: number; name: string; display_name: string }[]>('/groups/list'),
    [api],
  )
  return (
    <span class="chart-group">
      <label for="chart-group">{t('grp.chartGroup')}</label>
      <select
        id="chart-group"
        value={props.value}
        onChange={(e) => props.onChange(e.currentTarget.value)}
      >
        <option value="">{t('grp.chartAll')}</option>
        {(groups.data ?? []).map((g) => (
          <option value={String(g.id)}>{g.display_name || g.name}</option>
        ))}
      </select>
    </span>
  )
}
