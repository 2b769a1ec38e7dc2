// The group form's state (all strings, as the inputs hold them), its conversion to and from the
// API's group body, the client-side checks made before sending, and the proxy-key generator.
import type { ConfigOption, GroupFull, HeaderRule, SettingValue } from '../../types'
import type { MessageId, Translate } from '../../i18n'

export type GroupType = 'standard' | 'aggregate'
export interface PairRow {
  from: string
  to: string
}
export interface UpstreamRow {
  url: string
  weight: string
}

export interface FormState {
  name: string
  display_name: string
  description: string
  group_type: GroupType
  channel_type: string
  upstreams: UpstreamRow[]
  test_model: string
  validation_endpoint: string
  proxy_keys: string
  config: Record<string, string>
  redirects: PairRow[]
  strict: boolean
  headers: HeaderRule[]
  param_overrides: string
  /** The failover rules as JSON text; '' for none. */
  failover_rules: string
}

/** Field name → message; the names are the API's top-level field names. */
export type FieldErrors = Record<string, string>

export const emptyForm = (channel: string): FormState => ({
  name: '',
  display_name: '',
  description: '',
  group_type: 'standard',
  channel_type: channel,
  upstreams: [{ url: '', weight: '1' }],
  test_model: '',
  validation_endpoint: '',
  proxy_keys: '',
  config: {},
  redirects: [],
  strict: false,
  headers: [],
  param_overrides: '',
  failover_rules: '',
})

export const toForm = (g: GroupFull): FormState => ({
  name: g.name,
  display_name: g.display_name,
  description: g.description,
  group_type: g.group_type,
  channel_type: g.channel_type,
  upstreams: g.upstreams.map((u) => ({ url: u.url, weight: String(u.weight) })),
  test_model: g.test_model === '-' ? '' : g.test_model,
  validation_endpoint: g.validation_endpoint,
  proxy_keys: g.proxy_keys.split(',').filter(Boolean).join('\n'),
  config: Object.fromEntries(Object.entries(g.config).map(([k, v]) => [k, String(v)])),
  redirects: Object.entries(g.model_redirect_rules).map(([from, to]) => ({ from, to })),
  strict: g.model_redirect_strict,
  headers: g.header_rules.map((r) => ({ ...r })),
  param_overrides:
    Object.keys(g.param_overrides).length > 0 ? JSON.stringify(g.param_overrides, null, 2) : '',
  failover_rules: g.failover_rules?.length ? JSON.stringify(g.failover_rules, null, 2) : '',
})

/** A number when the text is an integer; otherwise the text itself, so the API names the problem. */
const toInt = (text: string): number | string => (/^-?\d+$/.test(text.trim()) ? Number(text) : text)

/** Only the overrides the user set: an empty input means "use the system setting". */
const toConfig = (form: FormState, options: ConfigOption[]) => {
  const out: Record<string, SettingValue> = {}
  for (const o of options) {
    const raw = form.config[o.key]?.trim() ?? ''
    if (raw === '') continue
    if (typeof o.default_value === 'boolean') out[o.key] = raw === 'true'
    else if (typeof o.default_value === 'number') out[o.key] = toInt(raw)
    else out[o.key] = raw
  }
  return out
}

/** The param-overrides text as an object, or the reason it is not one. */
export const parseParamOverrides = (
  text: string,
): { ok: true; value: Record<string, unknown> } | { ok: false; reason: string } => {
  if (text.trim() === '') return { ok: true, value: {} }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    return { ok: false, reason: (err as Error).message }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, reason: 'not an object' }
  }
  return { ok: true, value: value as Record<string, unknown> }
}

/** The failover-rules text as a list, or the reason it is not one; the API checks each rule. */
export const parseFailoverRules = (
  text: string,
): { ok: true; value: unknown[] } | { ok: false; reason: string } => {
  if (text.trim() === '') return { ok: true, value: [] }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    return { ok: false, reason: (err as Error).message }
  }
  return Array.isArray(value) ? { ok: true, value } : { ok: false, reason: 'not a list' }
}

/** The POST/PUT body. An aggregate sends no upstreams, model or endpoint of its own. */
export const toBody = (
  form: FormState,
  options: ConfigOption[],
  params: Record<string, unknown>,
  editing: boolean,
) => {
  const aggregate = form.group_type === 'aggregate'
  const body: Record<string, unknown> = {
    name: form.name.trim(),
    display_name: form.display_name.trim(),
    description: form.description.trim(),
    proxy_keys: form.proxy_keys,
    config: toConfig(form, options),
    header_rules: form.headers
      .filter((r) => r.key.trim() !== '')
      .map((r) => ({
        key: r.key.trim(),
        value: r.action === 'remove' ? '' : r.value,
        action: r.action,
      })),
    param_overrides: params,
  }
  // The form refuses text that is no list before sending (group-form.tsx).
  const rules = parseFailoverRules(form.failover_rules)
  if (rules.ok) body.failover_rules = rules.value
  if (!editing) body.group_type = form.group_type
  // An aggregate's channel follows its members once created; the API ignores it on update.
  if (!editing || !aggregate) body.channel_type = form.channel_type
  if (!aggregate) {
    body.upstreams = form.upstreams
      .filter((u) => u.url.trim() !== '' || u.weight.trim() !== '')
      .map((u) => ({ url: u.url.trim(), weight: toInt(u.weight) }))
    body.test_model = form.test_model.trim()
    body.validation_endpoint = form.validation_endpoint.trim()
    body.model_redirect_rules = Object.fromEntries(
      form.redirects
        .filter((r) => r.from.trim() !== '' || r.to.trim() !== '')
        .map((r) => [r.from.trim(), r.to.trim()]),
    )
    body.model_redirect_strict = form.strict
  }
  return body
}

/**
 * Splits the API's message (`upstreams.0.url: must be an http(s) URL; name: …`) by field.
 * Parts naming no field (a duplicate name is a 409 without one) go under `''`, or `name` when
 * they are about the name.
 */
export const toFieldErrors = (message: string): FieldErrors => {
  const out: FieldErrors = {}
  for (const part of message.split('; ')) {
    const m = /^([a-z_]+)(?:\.[\w.]+)?(?:, [a-z_]+)*: /.exec(part)
    const field = m ? m[1]! : /^group name /.test(part) ? 'name' : ''
    out[field] = out[field] ? `${out[field]}; ${part}` : part
  }
  return out
}

/** The row inputs' own labels for the API's row paths (`upstreams.0.url` → "Upstream 1 URL"). */
const ROW_LABELS: [RegExp, MessageId][] = [
  [/^upstreams\.(\d+)\.url: /, 'grp.upstreamUrl'],
  [/^upstreams\.(\d+)\.weight: /, 'grp.upstreamWeight'],
  [/^header_rules\.(\d+)\.key: /, 'grp.headerName'],
  [/^header_rules\.(\d+)\.action: /, 'grp.headerAction'],
  [/^header_rules\.(\d+)\.value: /, 'grp.headerValue'],
]

/** One part of an API message with its row path (if any) put as that input's label. */
const toReadablePart = (part: string, t: Translate) => {
  for (const [re, id] of ROW_LABELS) {
    const m = re.exec(part)
    if (m) return `${t(id, { n: Number(m[1]) + 1 })}: ${part.slice(m[0].length)}`
  }
  return part
}

/** Rewrites each part's row path as the label the user sees beside that input. */
export const toReadableErrors = (errors: FieldErrors, t: Translate): FieldErrors =>
  Object.fromEntries(
    Object.entries(errors).map(([field, text]) => [
      field,
      text
        .split('; ')
        .map((part) => toReadablePart(part, t))
        .join('; '),
    ]),
  )

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** `sk-` and 48 random letters and digits; bytes ≥ 248 are dropped so each is equally likely. */
export const generateKey = (): string => {
  let out = ''
  while (out.length < 48) {
    for (const b of crypto.getRandomValues(new Uint8Array(64))) {
      if (b < 248 && out.length < 48) out += ALPHABET[b % 62]
    }
  }
  return `sk-${out}`
}
