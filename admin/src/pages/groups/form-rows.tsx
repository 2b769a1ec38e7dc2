// The group form's repeating rows (upstreams with weights, model redirects, header rules) and its
// config overrides. Every input has its own label, so rows read well with a screen reader.
import { usePrefs } from '../../prefs'
import type { ConfigOption, HeaderRule } from '../../types'
import type { PairRow, UpstreamRow } from './form-model'

/** Replaces item `i` of a list with `patch` applied. */
const patchAt = <T,>(list: T[], i: number, patch: Partial<T>): T[] =>
  list.map((item, j) => (j === i ? { ...item, ...patch } : item))
const removeAt = <T,>(list: T[], i: number): T[] => list.filter((_, j) => j !== i)

const RemoveButton = (props: { label: string; onClick(): void }) => (
  <button type="button" class="btn btn-small" aria-label={props.label} onClick={props.onClick}>
    ✕
  </button>
)

export const UpstreamRows = (props: {
  rows: UpstreamRow[]
  onChange(rows: UpstreamRow[]): void
}) => {
  const { t } = usePrefs()
  const { rows, onChange } = props
  return (
    <>
      {rows.map((r, i) => (
        <div class="row-edit">
          <input
            class="grow"
            type="url"
            aria-label={t('grp.upstreamUrl', { n: i + 1 })}
            placeholder="https://api.openai.com"
            value={r.url}
            onInput={(e) => onChange(patchAt(rows, i, { url: e.currentTarget.value }))}
          />
          <input
            class="narrow"
            inputMode="numeric"
            aria-label={t('grp.upstreamWeight', { n: i + 1 })}
            value={r.weight}
            onInput={(e) => onChange(patchAt(rows, i, { weight: e.currentTarget.value }))}
          />
          <RemoveButton
            label={t('grp.removeUpstream', { n: i + 1 })}
            onClick={() => onChange(removeAt(rows, i))}
          />
        </div>
      ))}
      <button
        type="button"
        class="btn btn-small"
        onClick={() => onChange([...rows, { url: '', weight: '1' }])}
      >
        {t('grp.addUpstream')}
      </button>
    </>
  )
}

export const RedirectRows = (props: { rows: PairRow[]; onChange(rows: PairRow[]): void }) => {
  const { t } = usePrefs()
  const { rows, onChange } = props
  return (
    <>
      {rows.map((r, i) => (
        <div class="row-edit">
          <input
            class="grow"
            aria-label={t('grp.redirectFrom', { n: i + 1 })}
            placeholder="gpt-4o"
            value={r.from}
            onInput={(e) => onChange(patchAt(rows, i, { from: e.currentTarget.value }))}
          />
          <span aria-hidden="true">→</span>
          <input
            class="grow"
            aria-label={t('grp.redirectTo', { n: i + 1 })}
            placeholder="gpt-4o-mini"
            value={r.to}
            onInput={(e) => onChange(patchAt(rows, i, { to: e.currentTarget.value }))}
          />
          <RemoveButton
            label={t('grp.removeRedirect', { n: i + 1 })}
            onClick={() => onChange(removeAt(rows, i))}
          />
        </div>
      ))}
      <button
        type="button"
        class="btn btn-small"
        onClick={() => onChange([...rows, { from: '', to: '' }])}
      >
        {t('grp.addRedirect')}
      </button>
    </>
  )
}

export const HeaderRows = (props: { rows: HeaderRule[]; onChange(rows: HeaderRule[]): void }) => {
  const { t } = usePrefs()
  const { rows, onChange } = props
  return (
    <>
      {rows.map((r, i) => (
        <div class="row-edit">
          <input
            class="grow"
            aria-label={t('grp.headerName', { n: i + 1 })}
            placeholder="X-Custom-Header"
            value={r.key}
            onInput={(e) => onChange(patchAt(rows, i, { key: e.currentTarget.value }))}
          />
          <select
            aria-label={t('grp.headerAction', { n: i + 1 })}
            value={r.action}
            onChange={(e) =>
              onChange(patchAt(rows, i, { action: e.currentTarget.value as HeaderRule['action'] }))
            }
          >
            <option value="set">{t('grp.headerSet')}</option>
            <option value="remove">{t('grp.headerRemove')}</option>
          </select>
          <input
            class="grow"
            aria-label={t('grp.headerValue', { n: i + 1 })}
            value={r.action === 'remove' ? '' : r.value}
            disabled={r.action === 'remove'}
            onInput={(e) => onChange(patchAt(rows, i, { value: e.currentTarget.value }))}
          />
          <RemoveButton
            label={t('grp.removeHeader', { n: i + 1 })}
            onClick={() => onChange(removeAt(rows, i))}
          />
        </div>
      ))}
      <button
        type="button"
        class="btn btn-small"
        onClick={() => onChange([...rows, { key: '', value: '', action: 'set' }])}
      >
        {t('grp.addHeader')}
      </button>
    </>
  )
}

/** One input per overridable setting; empty (or "default") means the system value applies. */
export const ConfigOverrides = (props: {
  options: ConfigOption[]
  values: Record<string, string>
  onChange(values: Record<string, string>): void
}) => {
  const { t } = usePrefs()
  const { options, values, onChange } = props
  const set = (key: string, v: string) => onChange({ ...values, [key]: v })
  return (
    <div class="config-grid">
      {options.map((o) => {
        const id = `cfg-${o.key}`
        const value = values[o.key] ?? ''
        const fallback = t('grp.cfgDefault', { value: String(o.default_value) })
        return (
          <div class={`field${value !== '' ? ' field-set' : ''}`}>
            <label for={id}>{o.name}</label>
            {typeof o.default_value === 'boolean' ? (
              <select
                id={id}
                aria-describedby={`${id}-help`}
                value={value}
                onChange={(e) => set(o.key, e.currentTarget.value)}
              >
                <option value="">{fallback}</option>
                <option value="true">{t('grp.on')}</option>
                <option value="false">{t('grp.off')}</option>
              </select>
            ) : (
              <input
                id={id}
                aria-describedby={`${id}-help`}
                inputMode={typeof o.default_value === 'number' ? 'numeric' : undefined}
                placeholder={fallback}
                value={value}
                onInput={(e) => set(o.key, e.currentTarget.value)}
              />
            )}
            <small id={`${id}-help`} class="muted">
              {o.description}
            </small>
          </div>
        )
      })}
    </div>
  )
}
