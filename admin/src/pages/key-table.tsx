// A group's key table: status filter, exact search, pagination, masked keys with show/hide and
// copy. Full values are fetched only when asked for (`?reveal=true` for the page shown).
import { useState } from 'preact/hooks'
import { usePrefs, useSession } from '../prefs'
import type { Group, KeyItem, Paginated } from '../types'
import { CopyButton, ErrorBox, formatTime, Loaded, Pager, useResource } from '../ui'

const PAGE_SIZE = 20

export const KeyTable = ({ group, version }: { group: Group; version: number }) => {
  const { t, lang } = usePrefs()
  const { api } = useSession()
  const [page, setPage] = useState(1)
  const [status, setStatus] = useState('')
  const [search, setSearch] = useState('')
  const [query, setQuery] = useState('')
  const [shown, setShown] = useState<Record<number, string>>({})
  const params = { group_id: group.id, page, page_size: PAGE_SIZE, status, key_value: query }
  const res = useResource(() => {
    setShown({})
    return api.get<Paginated<KeyItem>>('/keys', params)
  }, [api, group.id, page, status, query, version])

  /** The full value of one key on this page (one reveal call for the page, then cached). */
  const fullValue = async (id: number) => {
    if (shown[id]) return shown[id]
    const all = await api.get<Paginated<KeyItem>>('/keys', { ...params, reveal: true })
    const value = all.items.find((k) => k.id === id)?.key_value ?? ''
    return value
  }
  const [actionError, setActionError] = useState<string | null>(null)
  const toggle = async (id: number) => {
    if (shown[id]) return setShown(({ [id]: _, ...rest }) => rest)
    setActionError(null)
    try {
      const value = await fullValue(id)
      setShown((s) => ({ ...s, [id]: value }))
    } catch (err) {
      setActionError((err as Error).message)
    }
  }

  return (
    <section class="card" aria-labelledby="keys-title">
      <h2 id="keys-title">{t('keys.title', { name: group.display_name || group.name })}</h2>
      <form
        class="toolbar"
        role="search"
        onSubmit={(e) => {
          e.preventDefault()
          setPage(1)
          setQuery(search.trim())
        }}
      >
        <div>
          <label for="keys-status">{t('keys.status')}</label>
          <select
            id="keys-status"
            value={status}
            onChange={(e) => {
              setPage(1)
              setStatus(e.currentTarget.value)
            }}
          >
            <option value="">{t('keys.all')}</option>
            <option value="active">{t('keys.active')}</option>
            <option value="invalid">{t('keys.invalid')}</option>
          </select>
        </div>
        <div class="grow">
          <label for="keys-search">{t('keys.search')}</label>
          <input
            id="keys-search"
            type="search"
            value={search}
            onInput={(e) => setSearch(e.currentTarget.value)}
          />
        </div>
        <button type="submit" class="btn">
          {t('keys.searchButton')}
        </button>
      </form>
      {actionError && <ErrorBox message={actionError} />}
      <Loaded res={res}>
        {(data) =>
          data.items.length === 0 ? (
            <p class="muted">{t('keys.empty')}</p>
          ) : (
            <>
              <div class="table-wrap">
                <table class="keys">
                  <thead>
                    <tr>
                      <th scope="col">{t('keys.key')}</th>
                      <th scope="col">{t('keys.status')}</th>
                      <th scope="col" class="num">
                        {t('keys.requests')}
                      </th>
                      <th scope="col" class="num">
                        {t('keys.failures')}
                      </th>
                      <th scope="col">{t('keys.lastUsed')}</th>
                      <th scope="col">{t('keys.actions')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.items.map((k) => (
                      <tr>
                        <td>
                          <code class="key-value">{shown[k.id] ?? k.key_value}</code>
                        </td>
                        <td>
                          <span class={`badge badge-${k.status}`}>{t(`keys.${k.status}`)}</span>
                          {!k.enabled && <span class="badge badge-medium">{t('keys.off')}</span>}
                        </td>
                        <td class="num">{k.request_count}</td>
                        <td class="num">{k.failure_count}</td>
                        <td>{formatTime(k.last_used_at, lang)}</td>
                        <td>
                          <div class="actions">
                            <button
                              type="button"
                              class="btn btn-small"
                              aria-pressed={!!shown[k.id]}
                              onClick={() => toggle(k.id)}
                            >
                              {shown[k.id] ? t('keys.hide') : t('keys.reveal')}
                            </button>
                            <CopyButton text={() => fullValue(k.id)} />
                          </div>
                        </td>
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
  )
}
