// The log table's columns: how each renders a row, which show by default, and the chooser whose
// choice is remembered in localStorage (per browser, like the theme).
import type { ComponentChildren } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'
import type { MessageId, Translate } from '../../i18n'
import { usePrefs } from '../../prefs'
import type { LogItem } from '../../types'
import { formatTime } from '../../ui'

export type ColumnId =
  | 'timestamp'
  | 'group_name'
  | 'parent_group_name'
  | 'model'
  | 'status_code'
  | 'duration_ms'
  | 'key_value'
  | 'source_ip'
  | 'request_path'
  | 'upstream_addr'
  | 'user_agent'
  | 'error_message'

interface Column {
  id: ColumnId
  num?: boolean
  wrap?: boolean
  cell(l: LogItem, t: Translate, lang: string): ComponentChildren
}

const text = (v: string) => v || '—'

export const COLUMNS: Column[] = [
  { id: 'timestamp', cell: (l, _t, lang) => formatTime(l.timestamp, lang) },
  { id: 'group_name', cell: (l) => l.group_name },
  { id: 'parent_group_name', cell: (l) => text(l.parent_group_name) },
  {
    id: 'model',
    cell: (l, t) => (
      <>
        {text(l.model)} {l.is_stream && <span class="badge">{t('logs.stream')}</span>}
      </>
    ),
  },
  {
    id: 'status_code',
    cell: (l, t) => (
      <>
        <span class={`badge badge-${l.is_success ? 'active' : 'invalid'}`}>{l.status_code}</span>
        {l.request_type === 'retry' && <span class="badge">{t('logs.retry')}</span>}
      </>
    ),
  },
  { id: 'duration_ms', num: true, cell: (l) => `${l.duration_ms} ms` },
  { id: 'key_value', cell: (l) => <code>{text(l.key_value)}</code> },
  { id: 'source_ip', cell: (l) => text(l.source_ip) },
  { id: 'request_path', cell: (l) => <code>{text(l.request_path)}</code> },
  { id: 'upstream_addr', cell: (l) => text(l.upstream_addr) },
  { id: 'user_agent', wrap: true, cell: (l) => text(l.user_agent) },
  { id: 'error_message', wrap: true, cell: (l) => l.error_message },
]

const DEFAULT: ColumnId[] = [
  'timestamp',
  'group_name',
  'model',
  'status_code',
  'duration_ms',
  'key_value',
  'error_message',
]

const STORE_KEY = 'edgeload.logs.columns'

export const columnLabel = (id: ColumnId): MessageId => `logs.c.${id}`

const load = (): ColumnId[] => {
  try {
    const saved = JSON.parse(localStorage.getItem(STORE_KEY) ?? 'null') as unknown
    if (Array.isArray(saved)) {
      const known = COLUMNS.map((c) => c.id).filter((id) => saved.includes(id))
      if (known.length > 0) return known
    }
  } catch {
    // an unreadable value falls back to the default columns
  }
  return DEFAULT
}

/** The visible columns in table order, and a toggle that saves the choice. */
export const useColumns = () => {
  const [shown, setShown] = useState<ColumnId[]>(load)
  const toggle = (id: ColumnId) => {
    const next = shown.includes(id) ? shown.filter((c) => c !== id) : [...shown, id]
    // At least one column stays, so the table never collapses to the Details button alone.
    if (next.length === 0) return
    const ordered = COLUMNS.map((c) => c.id).filter((c) => next.includes(c))
    localStorage.setItem(STORE_KEY, JSON.stringify(ordered))
    setShown(ordered)
  }
  return { shown, toggle }
}

export const ColumnChooser = (props: { shown: ColumnId[]; toggle(id: ColumnId): void }) => {
  const { t } = usePrefs()
  const ref = useRef<HTMLDetailsElement>(null)
  const [open, setOpen] = useState(false)
  /** Closes the panel; focus goes back to its button unless it is already somewhere else. */
  const close = (refocus: boolean) => {
    const details = ref.current
    if (!details) return
    details.open = false
    if (refocus) details.querySelector('summary')?.focus()
  }
  useEffect(() => {
    if (!open) return
    // A click elsewhere closes it like a menu; focus left inside the hidden panel is brought back.
    const onPointerDown = (e: PointerEvent) => {
      const details = ref.current
      if (details && !details.contains(e.target as Node))
        close(details.contains(document.activeElement))
    }
    document.addEventListener('pointerdown', onPointerDown)
    return () => document.removeEventListener('pointerdown', onPointerDown)
  }, [open])
  return (
    <details
      ref={ref}
      class="columns"
      onToggle={(e) => setOpen(e.currentTarget.open)}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          e.preventDefault()
          close(true)
        }
      }}
    >
      <summary class="btn btn-small">{t('logs.columns')}</summary>
      <fieldset>
        <legend class="sr-only">{t('logs.columns')}</legend>
        {COLUMNS.map((c) => (
          <label class="check">
            <input
              type="checkbox"
              name="column"
              value={c.id}
              checked={props.shown.includes(c.id)}
              onChange={() => props.toggle(c.id)}
            />
            <span>{t(columnLabel(c.id))}</span>
          </label>
        ))}
      </fieldset>
    </details>
  )
}
