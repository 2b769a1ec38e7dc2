// The outcome of the last action on keys: a calm line, red when something failed or a test did
// not pass, announced to screen readers, dismissable.
import { usePrefs } from '../../prefs'
import type { Notice } from './key-ops'

export const NoticeBox = ({ notice, onClose }: { notice: Notice; onClose(): void }) => {
  const { t } = usePrefs()
  return (
    <div
      class={`alert ${notice.tone === 'ok' ? 'alert-ok' : 'alert-error'} kx-notice`}
      role={notice.tone === 'ok' ? 'status' : 'alert'}
    >
      <span>{notice.text}</span>
      <button type="button" class="btn btn-small" onClick={onClose}>
        {t('kx.close')}
      </button>
    </div>
  )
}
