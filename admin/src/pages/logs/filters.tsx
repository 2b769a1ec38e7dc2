// The filter form: v1's log filters, edited as a draft and applied to the URL on submit, so the
// list reloads once per change and the view can be shared as a link.
import { useLayoutEffect, useState } from 'preact/hooks'
import type { MessageId } from '../../i18n'
import { usePrefs } from '../../prefs'
import { fromLocalInput, toLocalInput, type FilterName, type Filters } from './query'

type Spec =
  | { name: FilterName; kind: 'text'; wide?: boolean; numeric?: boolean }
  | { name: FilterName; kind: 'choice'; options: [string, MessageId][] }
  | { name: 'start_time' | 'end_time'; kind: 'time' }

// In reading order; on a wide screen this fills two rows of seven columns.
const SPECS: Spec[] = [
  { name: 'group_name', kind: 'text' },
  { name: 'parent_group_name', kind: 'text' },
  { name: 'model', kind: 'text' },
  { name: 'key_value', kind: 'text', wide: true },
  { name: 'status_code', kind: 'text', numeric: true },
  {
    name: 'is_success',
    kind: 'choice',
    options: [
      ['true', 'logs.yes'],
      ['false', 'logs.no'],
    ],
  },
  {
    name: 'request_type',
    kind: 'choice',
    options: [
      ['final', 'logs.final'],
      ['retry', 'logs.retried'],
    ],
  },
  { name: 'source_ip', kind: 'text' },
  { name: 'error_contains', kind: 'text' },
  { name: 'start_time', kind: 'time' },
  { name: 'end_time', kind: 'time' },
]

const label = (name: FilterName): MessageId => `logs.f.${name}`
const idOf = (name: FilterName) => `log-filter-${name}`

export const FilterForm = (props: { filters: Filters; onApply(filters: Filters): void }) => {
  const { t } = usePrefs()
  const [draft, setDraft] = useState<Filters>(props.filters)
  // A new URL (back button, a shared link, Clear) replaces the draft. In the same render, not
  // after paint as useEffect would: an edit made in between would be thrown away.
  useLayoutEffect(() => setDraft(props.filters), [JSON.stringify(props.filters)])
  const set = (name: FilterName, value: string) => setDraft((d) => ({ ...d, [name]: value }))
  const control = (f: Spec) => {
    const common = { id: idOf(f.name), name: f.name }
    if (f.kind === 'choice')
      return (
        <select
          {...common}
          value={draft[f.name] ?? ''}
          onChange={(e) => set(f.name, e.currentTarget.value)}
        >
          <option value="">{t('logs.any')}</option>
          {f.options.map(([v, id]) => (
            <option value={v}>{t(id)}</option>
          ))}
        </select>
      )
    if (f.kind === 'time')
      return (
        <input
          {...common}
          type="datetime-local"
          value={toLocalInput(draft[f.name])}
          onChange={(e) => set(f.name, fromLocalInput(e.currentTarget.value))}
        />
      )
    return (
      <input
        {...common}
        type="text"
        inputMode={f.numeric ? 'numeric' : undefined}
        value={draft[f.name] ?? ''}
        onInput={(e) => set(f.name, e.currentTarget.value)}
      />
    )
  }
  return (
    <form
      class="log-filters"
      aria-label={t('logs.filters')}
      onSubmit={(e) => {
        e.preventDefault()
        props.onApply(draft)
      }}
    >
      {SPECS.map((f) => (
        <div class={f.kind === 'time' ? 'time' : f.kind === 'text' && f.wide ? 'wide' : undefined}>
          <label for={idOf(f.name)}>{t(label(f.name))}</label>
          {control(f)}
        </div>
      ))}
      <div class="log-filter-end">
        <button type="submit" class="btn btn-primary">
          {t('logs.apply')}
        </button>
        <button type="button" class="btn" onClick={() => props.onApply({})}>
          {t('logs.reset')}
        </button>
      </div>
    </form>
  )
}
