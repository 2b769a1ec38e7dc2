// The log table: the chosen columns plus a Details button per row that opens the drawer.
import { usePrefs } from '../../prefs'
import type { LogItem } from '../../types'
import { COLUMNS, columnLabel, type ColumnId } from './columns'

export const LogTable = (props: {
  items: LogItem[]
  shown: ColumnId[]
  onOpen(log: LogItem): void
}) => {
  const { t, lang } = usePrefs()
  const columns = COLUMNS.filter((c) => props.shown.includes(c.id))
  return (
    <div class="table-wrap log-table-wrap">
      <table class="logs">
        <thead>
          <tr>
            {columns.map((c) => (
              <th scope="col" class={c.num ? 'num' : undefined}>
                {t(columnLabel(c.id))}
              </th>
            ))}
            <th scope="col">
              <span class="sr-only">{t('logs.details')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {props.items.map((l) => (
            <tr data-log-id={l.id} class={l.is_success ? undefined : 'failed'}>
              {columns.map((c) => (
                <td class={c.num ? 'num' : c.wrap ? 'wrap' : undefined}>{c.cell(l, t, lang)}</td>
              ))}
              <td>
                <button
                  type="button"
                  class="btn btn-small"
                  aria-label={t('logs.detailsOf', {
                    time: new Date(l.timestamp).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB'),
                  })}
                  onClick={() => props.onOpen(l)}
                >
                  {t('logs.details')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
