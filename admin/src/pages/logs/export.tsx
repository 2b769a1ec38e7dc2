// CSV export of the current filters: fetched with the admin key in a header (never in a URL,
// where it would land in history and access logs) and saved through a Blob link.
import { useState } from 'preact/hooks'
import { usePrefs, useSession } from '../../prefs'
import type { Filters } from './query'

export const ExportButton = (props: { filters: Filters; onError(message: string): void }) => {
  const { t } = usePrefs()
  const { api } = useSession()
  const [busy, setBusy] = useState(false)
  const run = async () => {
    setBusy(true)
    try {
      const { blob, filename } = await api.download('/logs/export', props.filters)
      const url = URL.createObjectURL(blob)
      const a = document.createElement('a')
      a.href = url
      a.download = filename ?? 'log_keys_export.csv'
      document.body.append(a)
      a.click()
      a.remove()
      // Revoked later: some browsers start reading the Blob only after the click returns.
      setTimeout(() => URL.revokeObjectURL(url), 10_000)
    } catch (err) {
      props.onError((err as Error).message)
    } finally {
      setBusy(false)
    }
  }
  return (
    <button
      type="button"
      class="btn btn-small"
      onClick={run}
      disabled={busy}
      title={t('logs.exportHint')}
    >
      {busy ? t('logs.exporting') : t('logs.export')}
    </button>
  )
}
