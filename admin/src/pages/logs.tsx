// The Logs screen (issue 4): v1's filters kept in the URL, pagination with a page size, a
// remembered column chooser, a detail drawer per row and a CSV export of the current filters.
import { useLocation } from 'preact-iso'
import { useState } from 'preact/hooks'
import { usePrefs, useSession } from '../prefs'
import '../styles/logs.css'
import type { LogItem, Paginated } from '../types'
import { ErrorBox, Paged, useResource } from '../ui'
import { ColumnChooser, useColumns } from './logs/columns'
import { LogDrawer } from './logs/drawer'
import { ExportButton } from './logs/export'
import { FilterForm } from './logs/filters'
import { PAGE_SIZES, toApiQuery, toHref, toView, type LogsView } from './logs/query'
import { LogTable } from './logs/table'

export const Logs = () => {
  const { t } = usePrefs()
  const { api } = useSession()
  const { query, route } = useLocation()
  const view = toView(query)
  const href = toHref(view)
  const go = (next: Partial<LogsView>) => route(toHref({ ...view, ...next }))
  const res = useResource(() => api.get<Paginated<LogItem>>('/logs', toApiQuery(view)), [api, href])
  const { shown, toggle } = useColumns()
  const [open, setOpen] = useState<LogItem | null>(null)
  const [exportError, setExportError] = useState<string | null>(null)
  const active = Object.keys(view.filters).length
  const filtered = active > 0
  const [filtersOpen, setFiltersOpen] = useState(() => matchMedia('(min-width: 700px)').matches)

  return (
    <>
      <h1>{t('logs.title')}</h1>
      {/* Open on a wide screen; folded on a phone, so the rows come first. */}
      <details
        class="card log-filter-box"
        open={filtersOpen}
        onToggle={(e) => setFiltersOpen(e.currentTarget.open)}
      >
        <summary>
          {t('logs.filters')}
          {active > 0 && <span class="badge">{t('logs.active', { n: active })}</span>}
        </summary>
        <FilterForm filters={view.filters} onApply={(filters) => go({ filters, page: 1 })} />
      </details>
      <section class="card">
        <div class="log-tools">
          <ColumnChooser shown={shown} toggle={toggle} />
          <label>
            {t('logs.pageSize')}{' '}
            <select
              value={view.pageSize}
              onChange={(e) => go({ pageSize: Number(e.currentTarget.value), page: 1 })}
            >
              {PAGE_SIZES.map((n) => (
                <option value={n}>{n}</option>
              ))}
            </select>
          </label>
          <ExportButton filters={view.filters} onError={setExportError} />
        </div>
        {exportError && <ErrorBox message={exportError} />}
        <Paged
          res={res}
          empty={filtered ? t('logs.noMatch') : t('logs.empty')}
          onPage={(page) => go({ page })}
        >
          {(items) => <LogTable items={items} shown={shown} onOpen={setOpen} />}
        </Paged>
      </section>
      <LogDrawer log={open} onClose={() => setOpen(null)} />
    </>
  )
}
