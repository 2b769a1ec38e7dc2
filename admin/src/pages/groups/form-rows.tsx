// The group form's repeating rows (upstreams with weights, model redirects, header rules) and its
// config overrides. Every input has its own label, so rows read well with a screen reader.
import { toSettingText } from '../../i18n/settings'
import { usePrefs } from '../../prefs'
import type { ConfigOption, HeaderRule } from '../../types'
import type { PairRow, UpstreamRow } from './form-model'
import { RowInput, RowList } from './row-list'

export const UpstreamRows = (props: {
  rows: UpstreamRow[]
  onChange(rows: UpstreamRow[]): void
}) => {
  const { t } = usePrefs()
  return (
    <RowList
      {...props}
      blank={{ url: '', weight: '1' }}
      addLabel={t('grp.addUpstream')}
      removeLabel={(n) => t('grp.removeUpstream', { n })}
    >
      {(r, set, n) => (
        <>
          <input
            class="grow"
            type="url"
            aria-label={t('grp.upstreamUrl', { n })}
            placeholder="https://api.openai.com"
            value={r.url}
            onInput={(e) => set({ url: e.currentTarget.value })}
          />
          <input
            class="narrow"
            inputMode="numeric"
            aria-label={t('grp.upstreamWeight', { n })}
            value={r.weight}
            onInput={(e) => set({ weight: e.currentTarget.value })}
          />
        </>
      )}
    </RowList>
  )
}

export const RedirectRows = (props: { rows: PairRow[]; onChange(rows: PairRow[]): void }) => {
  const { t } = usePrefs()
  return (
    <RowList
      {...props}
      blank={{ from: '', to: '' }}
      addLabel={t('grp.addRedirect')}
      removeLabel={(n) => t('grp.removeRedirect', { n })}
    >
      {(r, set, n) => (
        <>
          <RowInput
            label={t('grp.redirectFrom', { n })}
            placeholder="gpt-4o"
            value={r.from}
            onInput={(from) => set({ from })}
          />
          <span aria-hidden="true">→</span>
          <RowInput
            label={t('grp.redirectTo', { n })}
            placeholder="gpt-4o-mini"
            value={r.to}
            onInput={(to) => set({ to })}
          />
        </>
      )}
    </RowList>
  )
}

export const HeaderRows = (props: { rows: HeaderRule[]; onChange(rows: HeaderRule[]): void }) => {
  const { t } = usePrefs()
  return (
    <RowList
      {...props}
      blank={{ key: '', value: '', action: 'set' }}
      addLabel={t('grp.addHeader')}
      removeLabel={(n) => t('grp.removeHeader', { n })}
    >
      {(r, set, n) => (
        <>
          <RowInput
            label={t('grp.headerName', { n })}
            placeholder="X-Custom-Header"
            value={r.key}
            onInput={(key) => set({ key })}
          />
          <select
            aria-label={t('grp.headerAction', { n })}
            value={r.action}
            onChange={(e) => set({ action: e.currentTarget.value as HeaderRule['action'] })}
          >
            <option value="set">{t('grp.headerSet')}</option>
            <option value="remove">{t('grp.headerRemove')}</option>
          </select>
          <RowInput
            label={t('grp.headerValue', { n })}
            value={r.action === 'remove' ? '' : r.value}
            disabled={r.action === 'remove'}
            onInput={(value) => set({ value })}
          />
        </>
      )}
    </RowList>
  )
}

/** One input per overridable setting; empty (or "default") means the system value applies. */
export const ConfigOverrides = (props: {
  options: ConfigOption[]
  values: Record<string, string>
  onChange(values: Record<string, string>): void
}) => {
  const { lang, t } = usePrefs()
  const { options, values, onChange } = props
  const set = (key: string, v: string) => onChange({ ...values, [key]: v })
  return (
    <div class="config-grid">
      {options.map((o) => {
        const id = `cfg-${o.key}`
        const value = values[o.key] ?? ''
        const d = o.default_value
        const shown =
          typeof d === 'boolean' ? t(d ? 'grp.on' : 'grp.off') : String(d) || t('settings.empty')
        const fallback = t('grp.cfgDefault', { value: shown })
        const text = toSettingText(lang, o)
        return (
          <div class={`field${value !== '' ? ' field-set' : ''}`}>
            <label for={id}>{text.name}</label>
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
              {text.description}
              {o.max_value !== undefined &&
                ` · ${t('settings.range', { min: o.min_value ?? 0, max: o.max_value })}`}
            </small>
          </div>
        )
      })}
    </div>
  )
}
