// One row of the key table: selection, the masked key with show/hide and copy, state, notes,
// usage, and the actions on that key alone.
import { usePrefs } from '../../prefs'
import type { KeyItem } from '../../types'
import { CopyButton, formatTime } from '../../ui'
import type { KeyOp } from './key-ops'
import { KeyNotes } from './key-notes'

export interface KeyRowProps {
  item: KeyItem
  /** The full value when shown. */
  shown: string | undefined
  selected: boolean
  busy: boolean
  onSelect(on: boolean): void
  onToggleShow(): void
  fullValue(): Promise<string>
  onOp(op: KeyOp): void
  onHistory(): void
  onNotes(notes: string): Promise<boolean>
}

export const KeyRow = (p: KeyRowProps) => {
  const { t, lang } = usePrefs()
  const k = p.item
  const action = (op: KeyOp, label: string, cls = '') => (
    <button
      type="button"
      class={`btn btn-small ${cls}`}
      disabled={p.busy}
      onClick={() => p.onOp(op)}
    >
      {label}
    </button>
  )
  return (
    <tr class={p.selected ? 'kx-selected' : undefined} data-key-id={k.id}>
      <td class="kx-check">
        <input
          type="checkbox"
          checked={p.selected}
          aria-label={t('kx.select', { key: k.key_value })}
          onChange={(e) => p.onSelect(e.currentTarget.checked)}
        />
      </td>
      <td>
        <div class="kx-key">
          <code class="key-value">{p.shown ?? k.key_value}</code>
          <button
            type="button"
            class="btn btn-small"
            aria-pressed={p.shown !== undefined}
            onClick={p.onToggleShow}
          >
            {p.shown !== undefined ? t('keys.hide') : t('keys.reveal')}
          </button>
          <CopyButton text={p.fullValue} />
        </div>
        <KeyNotes notes={k.notes} label={k.key_value} onSave={p.onNotes} />
      </td>
      <td>
        <span class={`badge badge-${k.status}`}>{t(`keys.${k.status}`)}</span>
        {!k.enabled && <span class="badge badge-medium">{t('keys.off')}</span>}
      </td>
      <td class="num">
        {k.request_count}
        <span class="muted"> / </span>
        <span class={k.failure_count > 0 ? 'kx-failures' : undefined}>{k.failure_count}</span>
      </td>
      <td class="kx-when">{formatTime(k.last_used_at, lang)}</td>
      <td>
        <div class="actions">
          {action('test', t('kx.test'))}
          {k.enabled ? action('disable', t('kx.disable')) : action('enable', t('kx.enable'))}
          {k.status === 'invalid' && action('restore', t('kx.restore'))}
          <button type="button" class="btn btn-small" onClick={p.onHistory}>
            {t('kx.history')}
          </button>
          {action('delete', t('kx.delete'), 'btn-danger-quiet')}
        </div>
      </td>
    </tr>
  )
}
