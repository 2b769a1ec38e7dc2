// The create / edit form for standard and aggregate groups. Param overrides are checked here
// before anything is sent; the API's refusals are shown in a summary and beside their field.
import { useLayoutEffect, useRef, useState } from 'preact/hooks'
import { ApiError } from '../../api'
import { usePrefs, useSession } from '../../prefs'
import type { ConfigOption, GroupFull } from '../../types'
import { Loaded, useResource } from '../../ui'
import { BasicsSection, RoutingSection } from './form-basics'
import {
  emptyForm,
  parseFailoverRules,
  parseParamOverrides,
  toBody,
  toFieldErrors,
  toReadableErrors,
  toForm,
  type FieldErrors,
  type FormState,
} from './form-model'
import { AccessSection, ConfigSection, RulesSection } from './form-rules'

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
  // A layout effect, so focus moves as the error appears: a deferred move could take the keys
  // someone is already typing into a field.
  const summary = useRef<HTMLDivElement>(null)
  useLayoutEffect(() => summary.current?.focus(), [errors])
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
    const rules = parseFailoverRules(form.failover_rules)
    if (!rules.ok) {
      setErrors({ failover_rules: t('grp.failoverInvalid', { reason: rules.reason }) })
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
      setErrors(
        err instanceof ApiError
          ? toReadableErrors(toFieldErrors(err.message), t)
          : { '': String(err) },
      )
    } finally {
      setSaving(false)
    }
  }

  const messages = Object.values(errors)
  const section = { form, errors, set }
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

      <BasicsSection {...section} editing={editing} channels={props.channels} />
      {!aggregate && <RoutingSection {...section} />}
      <AccessSection {...section} />
      <RulesSection {...section} />
      <ConfigSection {...section} options={props.options} />

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
