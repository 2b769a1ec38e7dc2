// A group's key table: filters, pagination, multi-select with bulk actions, per-key actions,
// the health history drawer, and (standard groups) the group's key maintenance. Full values are
// fetched only when needed (`?reveal=true` for the page shown, once per load).
import { useRef, useState } from 'preact/hooks'
import { usePrefs, useSession } from '../../prefs'
import type { Group, KeyItem, Paginated } from '../../types'
import { Paged, useResource } from '../../ui'
import '../../styles/keys.css'
import { BulkBar } from './bulk-bar'
import { ConfirmDialog } from './confirm-dialog'
import { GroupKeys } from './group-keys'
import { KeyFilter } from './key-filter'
import { KeyHistory } from './key-history'
import { runKeyOp, type KeyOp, type Notice } from './key-ops'
import { KeyRow } from './key-row'
import { NoticeBox } from './notice'

const PAGE_SIZE = 20

export const KeyTable = ({
  group,
  version,
  onChanged,
}: {
  group: Group
  version: number
  /** A group-level action changed keys: the page reloads this table and the group's stats. */
  onChanged: () => void
}) => {
  const { t } = usePrefs()
  const { api } = useSession()
  const [page, setPage] = useState(1)
  const [status, setStatus] = useState('')
  const [query, setQuery] = useState('')
  const [shown, setShown] = useState<Record<number, string>>({})
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set())
  const [busy, setBusy] = useState(false)
  const [notice, setNotice] = useState<Notice | null>(null)
  const [history, setHistory] = useState<KeyItem | null>(null)
  const [toDelete, setToDelete] = useState<number[] | null>(null)
  const revealed = useRef<Promise<Record<number, string>> | null>(null)
  const params = { group_id: group.id, page, page_size: PAGE_SIZE, status, key_value: query }
  const res = useResource(() => {
    setShown({})
    setSelected(new Set())
    revealed.current = null
    return api.get<Paginated<KeyItem>>('/keys', params)
  }, [api, group.id, page, status, query, version])
  const items = res.data?.items ?? []

  /** The full values of this page's keys, by id: one reveal call per load. */
  const values = () => {
    revealed.current ??= api.get<Paginated<KeyItem>>('/keys', { ...params, reveal: true }).then(
      (p) => Object.fromEntries(p.items.map((k) => [k.id, k.key_value])),
      (err: Error) => {
        revealed.current = null
        throw err
      },
    )
    return revealed.current
  }
  const fullValue = async (id: number) => shown[id] ?? (await values())[id] ?? ''
  const fail = (err: unknown) => setNotice({ tone: 'bad', text: (err as Error).message })

  const toggleShow = async (id: number) => {
    if (shown[id] !== undefined) return setShown(({ [id]: _, ...rest }) => rest)
    try {
      const value = await fullValue(id)
      setShown((s) => ({ ...s, [id]: value }))
    } catch (err) {
      fail(err)
    }
  }

  const run = async (op: KeyOp, ids: number[]) => {
    if (ids.length === 0) return
    if (op === 'delete' && toDelete === null) return setToDelete(ids)
    setToDelete(null)
    setBusy(true)
    setNotice(null)
    try {
      const all = await values()
      const keys = items
        .filter((k) => ids.includes(k.id))
        .map((k) => ({ id: k.id, value: all[k.id] ?? '', masked: k.key_value }))
      setNotice(await runKeyOp(api, t, group.id, op, keys))
      res.reload()
    } catch (err) {
      fail(err)
    } finally {
      setBusy(false)
    }
  }

  const saveNotes = async (id: number, notes: string) => {
    try {
      await api.put(`/keys/${id}/notes`, { notes })
      setNotice({ tone: 'ok', text: t('kx.notesSaved') })
      res.reload()
      return true
    } catch (err) {
      fail(err)
      return false
    }
  }

  const select = (id: number, on: boolean) =>
    setSelected((s) => {
      const next = new Set(s)
      if (on) next.add(id)
      else next.delete(id)
      return next
    })
  const allOn = items.length > 0 && items.every((k) => selected.has(k.id))

  return (
    <>
      <section class="card" aria-labelledby="keys-title">
        <h2 id="keys-title">{t('keys.title', { name: group.display_name || group.name })}</h2>
        <KeyFilter
          status={status}
          onStatus={(s) => {
            setPage(1)
            setStatus(s)
          }}
          onSearch={(q) => {
            setPage(1)
            setQuery(q)
          }}
        />
        <BulkBar count={selected.size} busy={busy} onOp={(op) => run(op, [...selected])} />
        {notice && <NoticeBox notice={notice} onClose={() => setNotice(null)} />}
        <Paged res={res} empty={t('keys.empty')} onPage={setPage}>
          {(items) => (
            <div class="table-wrap">
              <table class="keys">
                <thead>
                  <tr>
                    <th scope="col" class="kx-check">
                      <input
                        type="checkbox"
                        checked={allOn}
                        aria-label={t('kx.selectPage')}
                        onChange={(e) =>
                          setSelected(
                            new Set(e.currentTarget.checked ? items.map((k) => k.id) : []),
                          )
                        }
                      />
                    </th>
                    <th scope="col">{t('keys.key')}</th>
                    <th scope="col">{t('keys.status')}</th>
                    <th scope="col" class="num">
                      {t('keys.requests')} / {t('keys.failures')}
                    </th>
                    <th scope="col">{t('keys.lastUsed')}</th>
                    <th scope="col">{t('keys.actions')}</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((k) => (
                    <KeyRow
                      key={k.id}
                      item={k}
                      shown={shown[k.id]}
                      selected={selected.has(k.id)}
                      busy={busy}
                      onSelect={(on) => select(k.id, on)}
                      onToggleShow={() => toggleShow(k.id)}
                      fullValue={() => fullValue(k.id)}
                      onOp={(op) => run(op, [k.id])}
                      onHistory={() => setHistory(k)}
                      onNotes={(notes) => saveNotes(k.id, notes)}
                    />
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Paged>
      </section>
      {group.group_type === 'standard' && <GroupKeys group={group} onChanged={onChanged} />}
      {history && <KeyHistory item={history} onClose={() => setHistory(null)} />}
      {toDelete && (
        <ConfirmDialog
          title={t('kx.deleteTitle')}
          confirmLabel={t('kx.delete')}
          onConfirm={() => run('delete', toDelete)}
          onClose={() => setToDelete(null)}
        >
          <p>{t('kx.deleteBody', { group: group.name })}</p>
          <ul class="kx-delete-list">
            {items
              .filter((k) => toDelete.includes(k.id))
              .map((k) => (
                <li>
                  <code>{k.key_value}</code>
                </li>
              ))}
          </ul>
        </ConfirmDialog>
      )}
    </>
  )
}
