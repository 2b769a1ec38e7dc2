// The group form's later sections: who may call the group (proxy keys), how requests are rewritten
// (model redirects, header rules, param overrides), failover rules and the per-group config
// overrides.
import { usePrefs } from '../../prefs'
import type { ConfigOption } from '../../types'
import { Field, Rows, aria, type SectionProps } from './form-basics'
import { generateKey } from './form-model'
import { ConfigOverrides, HeaderRows, RedirectRows } from './form-rows'

/** The proxy keys clients use for this group, with a button that appends a fresh one. */
export const AccessSection = ({ form, errors, set }: SectionProps) => {
  const { t } = usePrefs()
  return (
    <fieldset class="rows">
      <legend>{t('grp.access')}</legend>
      <Field
        id="gf-keys"
        label={t('grp.proxyKeys')}
        help={t('grp.proxyKeysHelp')}
        error={errors.proxy_keys}
      >
        <textarea
          {...aria('gf-keys', errors.proxy_keys)}
          rows={3}
          spellcheck={false}
          value={form.proxy_keys}
          onInput={(e) => set('proxy_keys', e.currentTarget.value)}
        />
      </Field>
      <button
        type="button"
        class="btn btn-small"
        onClick={() =>
          set('proxy_keys', [form.proxy_keys.trim(), generateKey()].filter(Boolean).join('\n'))
        }
      >
        {t('grp.generateKey')}
      </button>
    </fieldset>
  )
}

/** Model redirects (standard groups only), header rules, param overrides and failover rules. */
export const RulesSection = ({ form, errors, set }: SectionProps) => {
  const { t } = usePrefs()
  const aggregate = form.group_type === 'aggregate'
  return (
    <>
      {!aggregate && (
        <Rows
          legend={t('grp.redirects')}
          help={t('grp.redirectsHelp')}
          error={errors.model_redirect_rules}
        >
          <RedirectRows rows={form.redirects} onChange={(r) => set('redirects', r)} />
          <label class="check strict">
            <input
              type="checkbox"
              checked={form.strict}
              onChange={(e) => set('strict', e.currentTarget.checked)}
            />
            <span>
              {t('grp.strict')} <small class="muted">· {t('grp.strictHelp')}</small>
            </span>
          </label>
        </Rows>
      )}

      <Rows legend={t('grp.headers')} help={t('grp.headersHelp')} error={errors.header_rules}>
        <HeaderRows rows={form.headers} onChange={(r) => set('headers', r)} />
      </Rows>

      <fieldset class="rows">
        <legend>{t('grp.params')}</legend>
        <Field
          id="gf-params"
          label={t('grp.paramsLabel')}
          help={t('grp.paramsHelp')}
          error={errors.param_overrides}
        >
          <textarea
            {...aria('gf-params', errors.param_overrides)}
            rows={5}
            spellcheck={false}
            placeholder={'{\n  "temperature": 0.2\n}'}
            value={form.param_overrides}
            onInput={(e) => set('param_overrides', e.currentTarget.value)}
          />
        </Field>
      </fieldset>

      <fieldset class="rows">
        <legend>{t('grp.failover')}</legend>
        <Field
          id="gf-failover"
          label={t('grp.failoverLabel')}
          help={t('grp.failoverHelp')}
          error={errors.failover_rules}
        >
          <textarea
            {...aria('gf-failover', errors.failover_rules)}
            rows={5}
            spellcheck={false}
            placeholder={
              '[\n  {"status": 400, "code": "context_length_exceeded", "action": "failover"}\n]'
            }
            value={form.failover_rules}
            onInput={(e) => set('failover_rules', e.currentTarget.value)}
          />
        </Field>
      </fieldset>
    </>
  )
}

/** Per-group config overrides, folded away unless one is set or refused. */
export const ConfigSection = ({
  form,
  errors,
  set,
  options,
}: SectionProps & { options: ConfigOption[] }) => {
  const { t } = usePrefs()
  const setCount = Object.values(form.config).filter((v) => v.trim() !== '').length
  return (
    <details class="rows" open={setCount > 0 || !!errors.config}>
      <summary>
        {t('grp.config')} <span class="muted">({t('grp.configSet', { n: setCount })})</span>
      </summary>
      <p class="muted small">{t('grp.configHelp')}</p>
      {errors.config && <p class="field-error">{errors.config}</p>}
      <ConfigOverrides options={options} values={form.config} onChange={(v) => set('config', v)} />
    </details>
  )
}
