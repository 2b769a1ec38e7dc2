// A key's health history (GET /api/keys/{id}/history), newest first, in a side drawer: when,
// from which state to which, and the status code and message that caused it.
import { useEffect, useRef, useState } from 'preact/hooks'
import { usePrefs, useSession } from '../../prefs'
import type { KeyEvent, KeyItem, KeyState, Paginated } from '../../types'
import { formatTime, Paged, useResource } from '../../ui'

const PAGE_SIZE = 15

const State = ({ state }: { state: KeyState | null }) => {
  const { t } = usePrefs()
  if (state === null) return <span class="muted">{t('kx.state.unknown')}</span>
  return <span class={`kx-state kx-state-${state}`}>{t(`kx.state.${state}`)}</span>
}

export const KeyHistory = ({ item, onClose }: { item: KeyItem; onClose(): void }) => {
  const { t, lang } = usePrefs()
  const { api } = useSession()
  const [page, setPage] = useState(1)
  const res = useResource(
    () => api.get<Paginated<KeyEvent>>(`/keys/${item.id}/history`, { page, page_size: PAGE_SIZE }),
    [api, item.id, page],
  )
  const ref = useRef<HTMLDialogElement>(null)
  // Modal, so focus moves into the drawer and Escape closes it.
  useEffect(() => ref.current?.showModal(), [])
  return (
    <dialog
      ref={ref}
      class="kx-drawer"
      aria-labelledby="kx-history-title"
      onCancel={(e) => {
        e.preventDefault()
        onClose()
      }}
      onClick={(e) => e.target === ref.current && onClose()}
    >
      <div class="kx-drawer-inner">
        <header class="kx-drawer-head">
          <div>
            <h2 id="kx-history-title">{t('kx.historyTitle')}</h2>
            <p>
              <code>{item.key_value}</code>
            </p>
          </div>
          <button type="button" class="btn btn-small" onClick={onClose}>
            {t('kx.close')}
          </button>
        </header>
        <Paged res={res} empty={t('kx.noHistory')} onPage={setPage}>
          {(items) => (
            <div class="table-wrap">
              <table class="kx-history">
                <thead>
                  <tr>
                    <th scope="col">{t('kx.time')}</th>
                    <th scope="col">{t('kx.change')}</th>
                    <th scope="col" class="num">
                      {t('kx.code')}
                    </th>
                    <th scope="col">{t('kx.message')}</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((e) => (
                    <tr>
                      <td>{formatTime(e.time, lang)}</td>
                      <td>
                        <State state={e.from_state} /> <span class="kx-arrow">→</span>{' '}
                        <State state={e.to_state} />
                      </td>
                      <td class="num">{e.status_code || '—'}</td>
                      <td class="wrap">{e.message}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Paged>
      </div>
    </dialog>
  )
}
