// Group request bodies (v1 GroupCreateRequest / GroupUpdateRequest) and their conversion into
// store input. Unknown fields are dropped, as v1's JSON binding does; `null` means "not given".
import { z } from 'zod'
import { CHANNEL_TYPES, getChannel } from '../channels/index'
import { AppError, badRequest } from '../errors'
import { checkGroupConfig, normaliseKeyList, type SettingValue } from '../config/settings'
import type { GroupInput, HeaderRule } from '../store/types'
import { failoverRulesSchema } from './failover-rules-schema'
import { check, jsonInt } from './validate'

const isHttpUrl = (s: string): boolean => {
  try {
    const u = new URL(s)
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== ''
  } catch {
    return false
  }
}

// The WHATWG parser drops tabs and line breaks silently, so the raw text is checked too.
const hasControlOrSpace = (s: string): boolean => /[\u0000-\u0020\u007f-\u009f]/.test(s)

// Credentials in an upstream URL would be shown in every log row's upstream_addr; a key belongs
// in the key pool, and a header rule can carry any other credential.
const hasUserInfo = (s: string): boolean => {
  try {
    const u = new URL(s)
    return u.username !== '' || u.password !== ''
  } catch {
    return false
  }
}

// RFC 9110 §5.6.2 token. Spaces and tabs around a name are trimmed; anything else is refused.
const HEADER_NAME = /^[ \t]*[!#$%&'*+.^_`|~0-9A-Za-z-]+[ \t]*$/
// RFC 9110 §5.5: a value is visible characters, spaces and tabs. CR, LF, NUL and the other
// controls would split or break the upstream request; above U+00FF a character is no byte.
const BAD_HEADER_VALUE = /[\u0000-\u0008\u000a-\u001f\u007f\u0100-\uffff]/

const name = z
  .string()
  .regex(/^[a-z0-9_-]{1,100}$/, { error: 'must be 1-100 characters of a-z, 0-9, _ or -' })

const channelType = z.string().refine((t) => (CHANNEL_TYPES as readonly string[]).includes(t), {
  error: `must be one of ${CHANNEL_TYPES.join(', ')}`,
})

const upstreams = z
  .array(
    z.object({
      url: z
        .string()
        .trim()
        .max(2000)
        .refine((s) => !hasControlOrSpace(s), {
          error: 'must not contain spaces or control characters',
        })
        .refine(isHttpUrl, { error: 'must be an http(s) URL' })
        .refine((s) => !hasUserInfo(s), {
          error: 'must not contain user:password@ (it would show in the logs)',
        }),
      weight: jsonInt(0, 1_000_000),
    }),
  )
  .min(1, { error: 'needs at least one upstream' })
  .max(100)
  .refine((us) => us.some((u) => u.weight > 0), {
    error: 'at least one upstream needs a weight above 0',
  })

const headerRules = z
  .array(
    z.object({
      key: z
        .string()
        .regex(HEADER_NAME, { error: 'must be a valid header name (an HTTP token)' })
        .transform((s) => s.trim()),
      value: z
        .string()
        .max(4096)
        .refine((s) => !BAD_HEADER_VALUE.test(s), {
          error:
            'must not contain CR, LF, NUL or other control characters, or characters above U+00FF',
        })
        .nullish(),
      action: z.enum(['set', 'remove'], { error: "must be 'set' or 'remove'" }),
    }),
  )
  .max(100)
  .refine((rs) => new Set(rs.map((r) => r.key.toLowerCase())).size === rs.length, {
    error: 'has the same header twice',
  })

const fields = {
  display_name: z.string().max(255).nullish(),
  description: z.string().max(512).nullish(),
  sort: jsonInt(-1_000_000, 1_000_000).nullish(),
  test_model: z.string().trim().max(255).nullish(),
  validation_endpoint: z
    .string()
    .trim()
    .max(255)
    .refine((s) => s === '' || s.startsWith('/'), { error: "must be empty or start with '/'" })
    .refine((s) => !hasControlOrSpace(s), {
      error: 'must not contain spaces or control characters',
    })
    .nullish(),
  param_overrides: z.record(z.string(), z.unknown()).nullish(),
  model_redirect_rules: z.record(z.string().min(1), z.string().trim().min(1)).nullish(),
  model_redirect_strict: z.boolean().nullish(),
  config: z.record(z.string(), z.unknown()).nullish(),
  header_rules: headerRules.nullish(),
  failover_rules: failoverRulesSchema.nullish(),
  proxy_keys: z.string().max(10_000).nullish(),
}

export const groupCreateSchema = z.object({
  ...fields,
  name,
  group_type: z
    .enum(['standard', 'aggregate'], { error: "must be 'standard' or 'aggregate'" })
    .nullish(),
  channel_type: channelType,
  upstreams,
})

export const groupUpdateSchema = z.object({
  ...fields,
  name: name.nullish(),
  channel_type: channelType.nullish(),
  upstreams: upstreams.nullish(),
})

// Aggregates have no upstreams of their own: whatever is sent is dropped (reference §2.3).
const aggregateCreateSchema = groupCreateSchema.extend({ upstreams: z.unknown().optional() })

type CreateBody = z.output<typeof groupCreateSchema>

export const parseGroupCreate = (value: unknown): CreateBody => {
  const type = (value as { group_type?: unknown } | null)?.group_type
  if (type !== 'aggregate') return check(groupCreateSchema, value)
  return { ...check(aggregateCreateSchema, value), upstreams: [] }
}

/** Aggregates route to their members' models, so redirect rules of their own are refused. */
export const checkAggregateRules = (rules: Record<string, string> | null | undefined) => {
  if (rules && Object.keys(rules).length > 0) {
    throw badRequest('model_redirect_rules: aggregate groups cannot have model redirect rules')
  }
}
type UpdateBody = z.output<typeof groupUpdateSchema>

const storedFields = z.object({ header_rules: headerRules, upstreams: upstreams.or(z.tuple([])) })

/**
 * A copy takes the source group's stored upstreams and header rules. Rows written before these
 * checks existed may hold what the API now refuses, so they are checked again (400, nothing
 * written) rather than copied into a second broken group.
 */
export const checkCopySource = (g: Pick<GroupInput, 'name' | 'header_rules' | 'upstreams'>) => {
  try {
    check(storedFields, { header_rules: g.header_rules, upstreams: g.upstreams })
  } catch (err) {
    if (err instanceof AppError) throw badRequest(`group '${g.name}': ${err.message}; fix it first`)
    throw err
  }
}

const toConfig = (config: Record<string, unknown>): Record<string, SettingValue> => {
  const r = checkGroupConfig(config)
  if (!r.ok) throw badRequest(r.message)
  return r.value
}

const toHeaderRules = (rules: NonNullable<CreateBody['header_rules']>): HeaderRule[] =>
  rules.map((r) => ({
    key: r.key,
    value: r.action === 'remove' ? '' : (r.value ?? ''),
    action: r.action,
  }))

export const toGroupInput = (b: CreateBody): GroupInput => {
  const aggregate = b.group_type === 'aggregate'
  if (aggregate) checkAggregateRules(b.model_redirect_rules)
  return {
    name: b.name,
    display_name: b.display_name ?? '',
    description: b.description ?? '',
    group_type: aggregate ? 'aggregate' : 'standard',
    upstreams: aggregate ? [] : b.upstreams,
    channel_type: b.channel_type,
    sort: b.sort ?? 0,
    test_model: aggregate
      ? '-'
      : b.test_model || (getChannel(b.channel_type)?.defaultTestModel ?? ''),
    validation_endpoint: aggregate ? '' : (b.validation_endpoint ?? ''),
    param_overrides: b.param_overrides ?? {},
    model_redirect_rules: b.model_redirect_rules ?? {},
    model_redirect_strict: b.model_redirect_strict ?? false,
    config: toConfig(b.config ?? {}),
    header_rules: toHeaderRules(b.header_rules ?? []),
    failover_rules: b.failover_rules ?? [],
    proxy_keys: normaliseKeyList(b.proxy_keys ?? ''),
  }
}

/** Only the fields given; `test_model: ""` keeps the old model, as in v1. */
export const toGroupPatch = (b: UpdateBody): Partial<GroupInput> => {
  const patch: Partial<GroupInput> = {}
  if (b.name != null) patch.name = b.name
  if (b.display_name != null) patch.display_name = b.display_name
  if (b.description != null) patch.description = b.description
  if (b.upstreams != null) patch.upstreams = b.upstreams
  if (b.channel_type != null) patch.channel_type = b.channel_type
  if (b.sort != null) patch.sort = b.sort
  if (b.test_model) patch.test_model = b.test_model
  if (b.validation_endpoint != null) patch.validation_endpoint = b.validation_endpoint
  if (b.param_overrides != null) patch.param_overrides = b.param_overrides
  if (b.model_redirect_rules != null) patch.model_redirect_rules = b.model_redirect_rules
  if (b.model_redirect_strict != null) patch.model_redirect_strict = b.model_redirect_strict
  if (b.config != null) patch.config = toConfig(b.config)
  if (b.header_rules != null) patch.header_rules = toHeaderRules(b.header_rules)
  if (b.failover_rules != null) patch.failover_rules = b.failover_rules
  if (b.proxy_keys != null) patch.proxy_keys = normaliseKeyList(b.proxy_keys)
  return patch
}
