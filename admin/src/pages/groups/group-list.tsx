// The group list: each group's proxy endpoint (copyable), and its order, changed by drag and drop
// or, from the keyboard, by the move-up / move-down buttons. A new order is saved at once.
import { useEffect, useState } from 'preact/hooks'
import { usePrefs, useSession } from '../../prefs'
import type { Group } from '../../types'
import { CopyButton, ErrorBox } from '../../ui'

const move = <T,>(list: T[], from: number, to: number): T[] => {
  const out = [...list]
  const [item] = out.splice(from, 1)
  out.splice(to, 0, item!)
  return out
}

export const GroupList = (props: {
  groups: Group[]
  current: number | null
  onReordered(): void
}) => {
  const { t } = usePrefs()
  const { api } = useSession()
  const [order, setOrder] = useState(props.groups)
  const [dragged, setDragged] = useState<number | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [announce, setAnnounce] = useState('')
  useEffect(() => setOrder(props.groups), [props.groups])

  const save = async (next: Group[], moved: Group) => {
    const before = order
    setOrder(next)
    setError(null)
    try {
      await api.put('/groups/reorder', { items: next.map((g, i) => ({ id: g.id, sort: i })) })
      setAnnounce(t('grp.moved', { name: moved.name, pos: next.indexOf(moved) + 1 }))
      props.onReordered()
    } catch (err) {
      setOrder(before)
      setError((err as Error).message)
    }
  }
  const moveBy = (i: number, by: number) => {
    const to = i + by
    if (to < 0 || to >= order.length) return
    void save(move(order, i, to), order[i]!)
  }

  if (order.length === 0) return <p class="muted">{t('grp.empty')}</p>
  return (
    <>
      {error && <ErrorBox message={error} />}
      <p class="sr-only" aria-live="polite">
        {announce}
      </p>
      <ul class="group-list">
        {order.map((g, i) => (
          <li
            key={g.id}
            class={`group${g.id === props.current ? ' current' : ''}${dragged === i ? ' dragging' : ''}`}
            draggable
            data-group={g.name}
            onDragStart={(e) => {
              setDragged(i)
              e.dataTransfer?.setData('text/plain', String(g.id))
            }}
            onDragEnd={() => setDragged(null)}
            onDragOver={(e) => e.preventDefault()}
            onDrop={(e) => {
              e.preventDefault()
              if (dragged !== null && dragged !== i)
                void save(move(order, dragged, i), order[dragged]!)
              setDragged(null)
            }}
          >
            <div class="group-head">
              <span class="grip" aria-hidden="true" title={t('grp.drag')}>
                ⠿
              </span>
              <a
                href={`/groups/${g.id}`}
                aria-current={g.id === props.current ? 'page' : undefined}
              >
                <strong>{g.display_name || g.name}</strong>
                <span class="badge">
                  {g.group_type === 'aggregate' ? t('grp.aggregate') : g.channel_type}
                </span>
                {!g.enabled && <span class="badge badge-medium">{t('groups.disabled')}</span>}
              </a>
              <span class="move">
                <button
                  type="button"
                  class="btn btn-icon"
                  aria-label={t('grp.moveUp', { name: g.name })}
                  disabled={i === 0}
                  onClick={() => moveBy(i, -1)}
                >
                  ↑
                </button>
                <button
                  type="button"
                  class="btn btn-icon"
                  aria-label={t('grp.moveDown', { name: g.name })}
                  disabled={i === order.length - 1}
                  onClick={() => moveBy(i, 1)}
                >
                  ↓
                </button>
              </span>
            </div>
            <div class="endpoint">
              <code title={t('groups.endpoint')}>
                {/* A narrow column breaks the URL before the group's name, not inside it. */}
                {g.endpoint.slice(0, g.endpoint.lastIndexOf('/') + 1)}
                <wbr />
                {g.endpoint.split('/').pop()}
              </code>
              <CopyButton text={g.endpoint} label={t('groups.copyEndpoint', { name: g.name })} />
            </div>
          </li>
        ))}
      </ul>
    </>
  )
}
