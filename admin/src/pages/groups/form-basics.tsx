// The group form's building blocks (a labelled field, its aria wiring, a fieldset of rows) and its
// first sections: the basics (type, names, channel) and the upstreams with their validation.
import type { ComponentChildren } from 'preact'
import { usePrefs } from '../../prefs'
import type { FieldErrors, FormState } from './form-model'
import { UpstreamRows } from './form-rows'

/** What every section of the form gets: the state, its errors, and a setter for one field. */
export type SectionProps = {
  form: FormState
  errors: FieldErrors
  set<K extends keyof FormState>(key: K, value: FormState[K]): void
}

/** A labelled block with its help text and its error, tied to the control by ids. */
export const Field = (props: {
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
export const aria = (id: string, error?: string, help = true) => ({
  id,
  'aria-invalid': !!error,
  'aria-describedby': [help && `${id}-help`, error && `${id}-error`].filter(Boolean).join(' '),
})

/** A fieldset for a group of rows; the error of the whole list sits under its legend. */
export const Rows = (props: {
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

/** Type (only when creating), name, display name, description and channel. */
export const BasicsSection = ({
  form,
  errors,
  set,
  editing,
  channels,
}: SectionProps & { editing: boolean; channels: string[] }) => {
  const { t } = usePrefs()
  const aggregate = form.group_type === 'aggregate'
  return (
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
          {channels.map((c) => (
            <option value={c}>{c}</option>
          ))}
        </select>
      </Field>
    </fieldset>
  )
}

/** Upstreams with their weights, then the model and endpoint used to validate keys. */
export const RoutingSection = ({ form, errors, set }: SectionProps) => {
  const { t } = usePrefs()
  return (
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
  )
}
