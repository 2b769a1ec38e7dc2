// One generated settings input: a checkbox for bool, a number input for int (with the API's
// range shown), text otherwise; its description and the API's error are tied to it for screen readers.
import { toSettingText } from '../i18n/settings'
import { usePrefs } from '../prefs'
import type { SettingMeta, SettingValue } from '../types'

/** A number when the text is an integer; otherwise the text, so the API names the problem. */
const toInt = (text: string): SettingValue => (/^-?\d+$/.test(text.trim()) ? Number(text) : text)

export const SettingField = (props: {
  meta: SettingMeta
  value: SettingValue
  error?: string
  onChange(v: SettingValue): void
}) => {
  const { lang, t } = usePrefs()
  const { meta, value, error } = props
  const text = toSettingText(lang, meta)
  const id = `setting-${meta.key}`
  const described = `${id}-help${error ? ` ${id}-error` : ''}`
  const common = { id, name: meta.key, 'aria-describedby': described, 'aria-invalid': !!error }
  return (
    <div class={`field${error ? ' field-invalid' : ''}`}>
      {meta.type === 'bool' ? (
        <label class="check" for={id}>
          <input
            type="checkbox"
            {...common}
            checked={value === true}
            onChange={(e) => props.onChange(e.currentTarget.checked)}
          />
          <span>{text.name}</span>
        </label>
      ) : (
        <>
          <label for={id}>{text.name}</label>
          <input
            {...common}
            type="text"
            inputMode={meta.type === 'int' ? 'numeric' : undefined}
            value={String(value)}
            onInput={(e) =>
              props.onChange(
                meta.type === 'int' ? toInt(e.currentTarget.value) : e.currentTarget.value,
              )
            }
          />
        </>
      )}
      <small id={`${id}-help`} class="muted">
        {text.description} ·{' '}
        {t('settings.default', { value: meta.default_value || t('settings.empty') })}
        {meta.max_value !== undefined &&
          ` · ${t('settings.range', { min: meta.min_value ?? 0, max: meta.max_value })}`}
      </small>
      {error && (
        <small id={`${id}-error`} class="field-error" role="alert">
          {error}
        </small>
      )}
    </div>
  )
}
