// Request logs, newest first, page by page (filters, column chooser, detail and CSV export are
// still to come: issue 4).
import { useState } from 'preact/hooks'
import { usePrefs, useSession } from '../prefs'
import type { LogItem, Paginated } from '../types'
import { formatTime, Loaded, Pager, useResource } from '../ui'

export const Logs = () => {
  const { t, lang } = usePrefs()
  const { api } = useSession()
  const [page, setPage] = useState(1)
  const res = useResource(
    () => api.get<Paginated<LogItem>>('/logs', { page, page_size: 20 }),
    [api, page],
  )
  return (
    <>
      <h1>{t('logs.title')}</h1>
      <section class="card">
        <Loaded res={res}>
          {(data) =>
            data.items.length === 0 ? (
              <p class="muted">{t('logs.empty')}</p>
            ) : (
              <>
                <div class="table-wrap">
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">{t('logs.time')}</th>
                        <th scope="col">{t('logs.group')}</th>
                        <th scope="col">{t('logs.model')}</th>
                        <th scope="col">{t('logs.status')}</th>
                        <th scope="col" class="num">
                          {t('logs.duration')}
                        </th>
                        <th scope="col">{t('logs.key')}</th>
                        <th scope="col">{t('logs.error')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {data.items.map((l) => (
                        <tr>
                          <td>{formatTime(l.timestamp, lang)}</td>
                          <td>{l.group_name}</td>
                          <td>
                            {l.model}
                            {l.is_stream && <span class="badge">{t('logs.stream')}</span>}
                          </td>
                          <td>
                            <span class={`badge badge-${l.is_success ? 'active' : 'invalid'}`}>
                              {l.status_code}
                            </span>
                            {l.request_type === 'retry' && (
                              <span class="badge">{t('logs.retry')}</span>
                            )}
                          </td>
                          <td class="num">{l.duration_ms} ms</td>
                          <td>
                            <code>{l.key_value}</code>
                          </td>
                          <td class="wrap">{l.error_message}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
                <Pager
                  page={data.pagination.page}
                  pages={data.pagination.total_pages}
                  total={data.pagination.total_items}
                  onPage={setPage}
                />
              </>
            )
          }
        </Loaded>
      </section>
    </>
  )
}
