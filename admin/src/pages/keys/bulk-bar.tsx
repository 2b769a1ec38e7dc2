// The actions on the selected keys; always in place (disabled with nothing selected), so the
// table does not jump when the first key is ticked.
import { usePrefs } from '../../prefs'
import type { KeyOp } from './key-ops'

const OPS: KeyOp[] = ['enable', 'disable', 'test', 'restore', 'delete']

export const BulkBar = (props: { count: number; busy: boolean; onOp(op: KeyOp): void }) => {
  const { t } = usePrefs()
  const off = props.count === 0 || props.busy
  return (
    <div class="kx-bulk" role="group" aria-label={t('kx.bulk')}>
      <span class="kx-bulk-count" aria-live="polite">
        {t('kx.selected', { n: props.count })}
      </span>
      {OPS.map((op) => (
        <button
          type="button"
          class={op === 'delete' ? 'btn btn-small btn-danger-quiet' : 'btn btn-small'}
          disabled={off}
          onClick={() => props.onOp(op)}
        >
          {t(`kx.${op}`)}
        </button>
      ))}
    </div>
  )
}
