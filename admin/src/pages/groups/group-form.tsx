// The create / edit form for standard and aggregate groups. Param overrides are checked here
// before anything is sent; the API's refusals are shown in a summary and beside their field.
import type { ComponentChildren } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'
import { ApiError } from '../../api'
import { usePrefs, useSession } from '../../prefs'
import type { ConfigOption, GroupFull } from '../../types'
import { Loaded, useResource } from '../../ui'
import {
  emptyForm,
  generateKey,
  parseParamOverrides,
  toBody,
  toFieldErrors,
  toForm,
  type FieldErrors,
  type FormState,
} from './form-model'
import { ConfigOverrides, HeaderRows, RedirectRows, UpstreamRows } from './form-rows'

/** A labelled block with its help text and its error, tied to the control by ids. */
const Field = (props: {
  id: string
  label: string
  help?: string
  error?: string
  children: ComponentChildren
}) => (
  <div class={`field${props.error ? ' field-invalid' : ''}`}>
    <label for={props.id}>{props.label}</label>
    {props.children}
    {props.help && (
      <small id={`${props.id}-help`} class="muted">
        {props.help}
      </small>
    )}
    {props.error && (
      <small id={`${props.id}-error`} class="field-error">
        {props.error}
      </small>
    )}
  </div>
)

/** aria attributes for a control inside <Field>. */
const aria = (id: string, error?: string, help = true) => ({
  id,
  'aria-invalid': !!error,
  'aria-describedby': [help && `${id}-help`, error && `${id}-error`].filter(Boolean).join(' '),
})

/** A fieldset for a group of rows; the error of the whole list sits under its legend. */
const Rows = (props: {
  legend: string
  help?: string
  error?: string
  children: ComponentChildren
}) => (
  <fieldset class={`rows${props.error ? ' field-invalid' : ''}`}>
    <legend>{props.legend}</legend>
    {props.help && <p class="muted small">{props.help}</p>}
    {props.error && <p class="field-error">{props.error}</p>}
    {props.children}
  </fieldset>
)

const Form = (props: {
  group: GroupFull | null
  channels: string[]
  options: ConfigOption[]
  onSaved(id: number): void
  onCancel(): void
}) => {
  const { t } = usePrefs()
  const { api } = useSession()
  const editing = props.group !== null
  const [form, setForm] = useState<FormState>(() =>
    props.group ? toForm(props.group) : emptyForm(props.channels[0] ?? 'openai'),
  )
  const [errors, setErrors] = useState<FieldErrors>({})
  const [saving, setSaving] = useState(false)
  // A refused save moves focus to the summary: the form is long and the error may be far away.
  const summary = useRef<HTMLDivElement>(null)
  useEffect(() => summary.current?.focus(), [errors])
  const set = <K extends keyof FormState>(key: K, value: FormState[K]) =>
    setForm((f) => ({ ...f, [key]: value }))
  const aggregate = form.group_type === 'aggregate'

  const submit = async (e: Event) => {
    e.preventDefault()
    const params = parseParamOverrides(form.param_overrides)
    if (!params.ok) {
      setErrors({ param_overrides: t('grp.paramsInvalid', { reason: params.reason }) })
      return
    }
    setErrors({})
    setSaving(true)
    try {
      const body = toBody(form, props.options, params.value, editing)
      const saved = props.group
        ? await api.put<GroupFull>(`/groups/${props.group.id}`, body)
        : await api.post<GroupFull>('/groups', body)
      props.onSaved(saved.id)
    } catch (err) {
      setErrors(err instanceof ApiError ? toFieldErrors(err.message) : { '': String(err) })
    } finally {
      setSaving(false)
    }
  }

  const messages = Object.values(errors)
  const setCount = Object.values(form.config).filter((v) => v.trim() !== '').length
  return (
    <form class="group-form card" onSubmit={submit} noValidate aria-labelledby="gf-title">
      <h2 id="gf-title">
        {editing ? t('grp.editTitle', { name: props.group!.name }) : t('grp.newTitle')}
      </h2>
      {messages.length > 0 && (
        <div class="alert alert-error" role="alert" id="gf-errors" tabIndex={-1} ref={summary}>
          <strong>{t('grp.notSaved')}</strong>
          <ul>
            {messages.map((m) => (
              <li>{m}</li>
            ))}
          </ul>
        </div>
      )}

      <fieldset class="rows">
        <legend>{t('grp.basics')}</legend>
        {!editing && (
          <div class="type-pick" role="radiogroup" aria-label={t('grp.type')}>
            {(['standard', 'aggregate'] as const).map((type) => (
              <label class="check">
                <input
                  type="radio"
                  name="group_type"
                  value={type}
                  checked={form.group_type === type}
                  onChange={() => set('group_type', type)}
                />
                <span>
                  <strong>{t(type === 'standard' ? 'grp.standard' : 'grp.aggregate')}</strong>
                  <small class="muted">
                    {' '}
                    · {t(type === 'standard' ? 'grp.standardHelp' : 'grp.aggregateHelp')}
                  </small>
                </span>
              </label>
            ))}
          </div>
        )}
        <div class="two-col">
          <Field id="gf-name" label={t('grp.name')} help={t('grp.nameHelp')} error={errors.name}>
            <input
              {...aria('gf-name', errors.name)}
              required
              autocomplete="off"
              value={form.name}
              onInput={(e) => set('name', e.currentTarget.value)}
            />
          </Field>
          <Field id="gf-display" label={t('grp.displayName')} error={errors.display_name}>
            <input
              {...aria('gf-display', errors.display_name, false)}
              value={form.display_name}
              onInput={(e) => set('display_name', e.currentTarget.value)}
            />
          </Field>
        </div>
        <Field id="gf-desc" label={t('grp.description')} error={errors.description}>
          <textarea
            {...aria('gf-desc', errors.description, false)}
            class="plain"
            rows={2}
            value={form.description}
            onInput={(e) => set('description', e.currentTarget.value)}
          />
        </Field>
        <Field
          id="gf-channel"
          label={t('grp.channel')}
          help={aggregate ? t('grp.channelAggregate') : undefined}
          error={errors.channel_type}
        >
          <select
            {...aria('gf-channel', errors.channel_type, aggregate)}
            value={form.channel_type}
            disabled={editing && aggregate}
            onChange={(e) => set('channel_type', e.currentTarget.value)}
          >
            {props.channels.map((c) => (
              <option value={c}>{c}</option>
            ))}
          </select>
        </Field>
      </fieldset>

      {!aggregate && (
        <>
          <Rows legend={t('grp.upstreams')} help={t('grp.upstreamsHelp')} error={errors.upstreams}>
            <UpstreamRows rows={form.upstreams} onChange={(r) => set('upstreams', r)} />
          </Rows>
          <fieldset class="rows">
            <legend>{t('grp.validation')}</legend>
            <div class="two-col">
              <Field
                id="gf-model"
                label={t('grp.testModel')}
                help={t('grp.testModelHelp')}
                error={errors.test_model}
              >
                <input
                  {...aria('gf-model', errors.test_model)}
                  value={form.test_model}
                  onInput={(e) => set('test_model', e.currentTarget.value)}
                />
              </Field>
              <Field
                id="gf-endpoint"
                label={t('grp.validationEndpoint')}
                help={t('grp.validationEndpointHelp')}
                error={errors.validation_endpoint}
              >
                <input
                  {...aria('gf-endpoint', errors.validation_endpoint)}
                  placeholder="/v1/chat/completions"
                  value={form.validation_endpoint}
                  onInput={(e) => set('validation_endpoint', e.currentTarget.value)}
                />
              </Field>
            </div>
          </fieldset>
        </>
      )}

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

      <details class="rows" open={setCount > 0 || !!errors.config}>
        <summary>
          {t('grp.config')} <span class="muted">({t('grp.configSet', { n: setCount })})</span>
        </summary>
        <p class="muted small">{t('grp.configHelp')}</p>
        {errors.config && <p class="field-error">{errors.config}</p>}
        <ConfigOverrides
          options={props.options}
          values={form.config}
          onChange={(v) => set('config', v)}
        />
      </details>

      <div class="form-end">
        <button type="submit" class="btn btn-primary" disabled={saving}>
          {saving ? t('grp.saving') : editing ? t('grp.save') : t('grp.create')}
        </button>
        <button type="button" class="btn" onClick={props.onCancel}>
          {t('grp.cancel')}
        </button>
      </div>
    </form>
  )
}

/** Loads the channel types and config options the form is made of, then shows it. */
export const GroupForm = (props: {
  group: GroupFull | null
  onSaved(id: number): void
  onCancel(): void
}) => {
  const { api } = useSession()
  const res = useResource(
    () =>
      Promise.all([
        api.get<string[]>('/channel-types'),
        api.get<ConfigOption[]>('/groups/config-options'),
      ]),
    [api],
  )
  return (
    <Loaded res={res}>
      {([channels, options]) => (
        <Form
          key={props.group?.id ?? 'new'}
          group={props.group}
          channels={channels}
          options={options}
          onSaved={props.onSaved}
          onCancel={props.onCancel}
        />
      )}
    </Loaded>
  )
}
