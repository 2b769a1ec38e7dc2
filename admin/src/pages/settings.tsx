// The settings form, generated from GET /api/settings metadata: one fieldset per category, an
// input per setting by type. Only changed values are sent; an int outside the API's range is
// refused here first, and the API's per-key messages ("key: message; …") show beside fields.
import { useLayoutEffect, useState } from 'preact/hooks'
import { ApiError } from '../api'
import { toCategoryName, toSettingText } from '../i18n/settings'
import { usePrefs, useSession } from '../prefs'
import type { SettingCategory, SettingValue } from '../types'
import { Loaded, useResource } from '../ui'
import { SettingField } from './setting-field'
import { toRangeErrors } from './setting-range'

/** Splits "a: must be …; b: is required" into per-key messages; the rest stays general. */
export const toFieldErrors = (message: string, keys: Set<string>) => {
  const fields: Record<string, string> = {}
  const rest: string[] = []
  for (const part of message.split('; ')) {
    const m = /^(\w+): (.*)$/.exec(part)
    if (m && keys.has(m[1]!)) fields[m[1]!] = m[2]!
    else rest.push(part)
  }
  return { fields, rest: rest.join('; ') }
}

const Form = ({ categories, onSaved }: { categories: SettingCategory[]; onSaved(): void }) => {
  const { lang, t } = usePrefs()
  const { api } = useSession()
  const all = categories.flatMap((c) => c.settings)
  const [values, setValues] = useState<Record<string, SettingValue>>(() =>
    Object.fromEntries(all.map((s) => [s.key, s.value])),
  )
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [status, setStatus] = useState<{ tone: 'ok' | 'error'; text: string } | null>(null)
  const [busy, setBusy] = useState(false)
  // Take the user to the first refused field, which may be far above the save button. A layout
  // effect, so focus moves as the error appears, not a frame later while someone types elsewhere.
  useLayoutEffect(() => {
    if (Object.keys(errors).length > 0)
      document.querySelector<HTMLElement>('form [aria-invalid="true"]')?.focus()
  }, [errors])

  const save = async (e: Event) => {
    e.preventDefault()
    const changed = Object.fromEntries(
      all.filter((s) => values[s.key] !== s.value).map((s) => [s.key, values[s.key]]),
    )
    setErrors({})
    if (Object.keys(changed).length === 0)
      return setStatus({ tone: 'ok', text: t('settings.nothing') })
    const outOfRange = toRangeErrors(all, changed, t)
    if (Object.keys(outOfRange).length > 0) {
      setErrors(outOfRange)
      return setStatus({ tone: 'error', text: t('settings.invalid') })
    }
    setBusy(true)
    setStatus(null)
    try {
      await api.put('/settings', changed)
      // Name what changed, and that it is live: settings reload on every node without a restart.
      const names = all.filter((s) => s.key in changed).map((s) => toSettingText(lang, s).name)
      setStatus({ tone: 'ok', text: t('settings.savedLive', { names: names.join(', ') }) })
      onSaved()
    } catch (err) {
      const msg = (err as Error).message
      const split =
        err instanceof ApiError ? toFieldErrors(msg, new Set(all.map((s) => s.key))) : null
      setErrors(split?.fields ?? {})
      setStatus({ tone: 'error', text: split?.rest || t('settings.invalid') })
    } finally {
      setBusy(false)
    }
  }

  return (
    <form onSubmit={save} noValidate>
      {categories.map((c) => (
        <fieldset class="card">
          <legend>{toCategoryName(lang, c.category_name)}</legend>
          {c.settings.map((s) => (
            <SettingField
              meta={s}
              value={values[s.key]!}
              error={errors[s.key]}
              onChange={(v) => setValues((old) => ({ ...old, [s.key]: v }))}
            />
          ))}
        </fieldset>
      ))}
      <div class="form-end">
        {status && (
          <p
            class={`alert alert-${status.tone}`}
            role={status.tone === 'error' ? 'alert' : 'status'}
          >
            {status.text}
          </p>
        )}
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? t('settings.saving') : t('settings.save')}
        </button>
      </div>
    </form>
  )
}

export const Settings = () => {
  const { t } = usePrefs()
  const { api } = useSession()
  const res = useResource(() => api.get<SettingCategory[]>('/settings'), [api])
  return (
    <>
      <h1>{t('settings.title')}</h1>
      <p class="note">{t('settings.live')}</p>
      {/* Saved values become the new baseline, so "changed" is measured from what is stored. */}
      <Loaded res={res}>{(c) => <Form categories={c} onSaved={res.reload} />}</Loaded>
    </>
  )
}
