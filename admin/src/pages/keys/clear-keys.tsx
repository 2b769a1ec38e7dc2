// A standard group's two clear actions (invalid keys, all keys), each confirmed by typing the
// group's name first.
import { useState } from 'preact/hooks'
import { usePrefs } from '../../prefs'
import type { Group } from '../../types'
import { ConfirmDialog } from './confirm-dialog'

type Clear = 'invalid' | 'all'

/** What each clear action calls and says. */
const CLEARS = {
  invalid: {
    path: '/keys/clear-all-invalid',
    label: 'gk.clearInvalid',
    title: 'gk.clearInvalidTitle',
    done: 'gk.clearedInvalid',
  },
  all: {
    path: '/keys/clear-all',
    label: 'gk.clearAll',
    title: 'gk.clearAllTitle',
    done: 'gk.clearedAll',
  },
} as const

export const ClearKeys = (props: {
  group: Group
  disabled: boolean
  onClear(path: string, done: string): void
}) => {
  const { t } = usePrefs()
  const { group } = props
  const [clear, setClear] = useState<Clear | null>(null)
  return (
    <>
      <div class="gk-danger" role="group" aria-labelledby="gk-danger-title">
        <h3 id="gk-danger-title">{t('gk.danger')}</h3>
        {(['invalid', 'all'] as const).map((c) => (
          <button
            type="button"
            class="btn btn-danger-quiet"
            disabled={props.disabled}
            onClick={() => setClear(c)}
          >
            {t(CLEARS[c].label)}
          </button>
        ))}
      </div>
      {clear && (
        <ConfirmDialog
          title={t(CLEARS[clear].title, { group: group.name })}
          confirmLabel={t(CLEARS[clear].label)}
          typeToConfirm={group.name}
          typeLabel={t('gk.typeName')}
          onClose={() => setClear(null)}
          onConfirm={() => {
            setClear(null)
            props.onClear(CLEARS[clear].path, t(CLEARS[clear].done))
          }}
        >
          <p>{t('gk.clearWarn', { group: group.name })}</p>
        </ConfirmDialog>
      )}
    </>
  )
}
