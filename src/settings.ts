// System settings (reference §5.1): their metadata, defaults, validation, and the effective value
// for a group (defaults ← system ← group overrides).
import { parseStatusRanges } from './proxy/failover'

export type SettingType = 'int' | 'bool' | 'string'
export type SettingValue = number | boolean | string

export interface SettingDef {
  key: string
  name: string
  type: SettingType
  default: SettingValue
  description: string
  category: 'Basic' | 'Request' | 'Key'
  min?: number
  required?: boolean
  groupOverridable: boolean
  /** Extra check beyond type/min/required; returns an error message or null. */
  check?: (v: SettingValue) => string | null
}

const checkStatusCodes = (v: SettingValue) =>
  parseStatusRanges(String(v)) === null ? 'must be status codes or ranges, e.g. 429,500-599' : null

export const SETTING_DEFS: readonly SettingDef[] = [
  {
    key: 'app_url',
    name: 'Project URL',
    type: 'string',
    default: 'http://localhost:3001',
    description: 'Base URL shown for group endpoints',
    category: 'Basic',
    required: true,
    groupOverridable: false,
  },
  {
    key: 'proxy_keys',
    name: 'Global proxy keys',
    type: 'string',
    default: '',
    description: 'Comma-separated proxy keys valid for every group',
    category: 'Basic',
    required: true,
    groupOverridable: false,
  },
  {
    key: 'request_log_retention_days',
    name: 'Log retention (days)',
    type: 'int',
    default: 7,
    description: 'Days to keep request logs; 0 keeps them forever',
    category: 'Basic',
    min: 0,
    groupOverridable: false,
  },
  {
    key: 'request_log_write_interval_minutes',
    name: 'Log write interval (minutes)',
    type: 'int',
    default: 1,
    description: 'How often buffered request logs are written; 0 writes each at once',
    category: 'Basic',
    min: 0,
    groupOverridable: false,
  },
  {
    key: 'enable_request_body_logging',
    name: 'Log request bodies',
    type: 'bool',
    default: false,
    description: 'Store request bodies (up to 65000 characters) in the request log',
    category: 'Basic',
    groupOverridable: true,
  },
  {
    key: 'request_timeout',
    name: 'Request timeout (s)',
    type: 'int',
    default: 600,
    description: 'Total time for a non-stream request',
    category: 'Request',
    min: 1,
    groupOverridable: true,
  },
  {
    key: 'connect_timeout',
    name: 'Connect timeout (s)',
    type: 'int',
    default: 15,
    description: 'Time to open a connection to the upstream',
    category: 'Request',
    min: 1,
    groupOverridable: true,
  },
  {
    key: 'idle_conn_timeout',
    name: 'Idle connection timeout (s)',
    type: 'int',
    default: 120,
    description: 'How long an idle upstream connection is kept',
    category: 'Request',
    min: 1,
    groupOverridable: true,
  },
  {
    key: 'response_header_timeout',
    name: 'Response header timeout (s)',
    type: 'int',
    default: 600,
    description: 'Time to wait for upstream response headers, streams included',
    category: 'Request',
    min: 1,
    groupOverridable: true,
  },
  {
    key: 'max_idle_conns',
    name: 'Max idle connections',
    type: 'int',
    default: 100,
    description: 'Idle upstream connections kept in total',
    category: 'Request',
    min: 1,
    groupOverridable: true,
  },
  {
    key: 'max_idle_conns_per_host',
    name: 'Max idle connections per host',
    type: 'int',
    default: 50,
    description: 'Idle upstream connections kept per host',
    category: 'Request',
    min: 1,
    groupOverridable: true,
  },
  {
    key: 'proxy_url',
    name: 'Outbound proxy URL',
    type: 'string',
    default: '',
    description:
      'HTTP, HTTPS or SOCKS5 proxy for upstream calls; empty uses HTTP_PROXY/HTTPS_PROXY',
    category: 'Request',
    groupOverridable: true,
  },
  {
    key: 'max_retries',
    name: 'Max retries',
    type: 'int',
    default: 3,
    description: 'Extra attempts, each on another key',
    category: 'Key',
    min: 0,
    groupOverridable: true,
  },
  {
    key: 'blacklist_threshold',
    name: 'Blacklist threshold',
    type: 'int',
    default: 3,
    description: 'Consecutive auth failures before a key becomes invalid; 0 never blacklists',
    category: 'Key',
    min: 0,
    groupOverridable: true,
  },
  {
    key: 'failover_status_codes',
    name: 'Failover status codes',
    type: 'string',
    default: '401,403,408,429,500-599',
    description: 'Upstream statuses that make the gateway retry on another key',
    category: 'Key',
    groupOverridable: true,
    check: checkStatusCodes,
  },
  {
    key: 'key_validation_interval_minutes',
    name: 'Key validation interval (minutes)',
    type: 'int',
    default: 60,
    description: 'How often invalid keys are re-validated',
    category: 'Key',
    min: 1,
    groupOverridable: true,
  },
  {
    key: 'key_validation_concurrency',
    name: 'Key validation concurrency',
    type: 'int',
    default: 10,
    description: 'Keys validated at once',
    category: 'Key',
    min: 1,
    groupOverridable: true,
  },
  {
    key: 'key_validation_timeout_seconds',
    name: 'Key validation timeout (s)',
    type: 'int',
    default: 20,
    description: 'Time limit of one validation request',
    category: 'Key',
    min: 1,
    groupOverridable: true,
  },
]

export const SETTING_BY_KEY: ReadonlyMap<string, SettingDef> = new Map(
  SETTING_DEFS.map((d) => [d.key, d]),
)

export interface Settings {
  app_url: string
  proxy_keys: string
  request_log_retention_days: number
  request_log_write_interval_minutes: number
  enable_request_body_logging: boolean
  request_timeout: number
  connect_timeout: number
  idle_conn_timeout: number
  response_header_timeout: number
  max_idle_conns: number
  max_idle_conns_per_host: number
  proxy_url: string
  max_retries: number
  blacklist_threshold: number
  failover_status_codes: string
  key_validation_interval_minutes: number
  key_validation_concurrency: number
  key_validation_timeout_seconds: number
}

export const defaultSettings = (): Settings =>
  Object.fromEntries(SETTING_DEFS.map((d) => [d.key, d.default])) as unknown as Settings

/** Checks one value against its definition; returns the typed value or an error message. */
export const checkSetting = (
  def: SettingDef,
  value: unknown,
): { ok: true; value: SettingValue } | { ok: false; message: string } => {
  const fail = (m: string) => ({ ok: false as const, message: `${def.key}: ${m}` })
  if (def.type === 'int') {
    if (typeof value !== 'number' || !Number.isInteger(value)) return fail('must be an integer')
    if (def.min !== undefined && value < def.min) return fail(`must be at least ${def.min}`)
  } else if (def.type === 'bool') {
    if (typeof value !== 'boolean') return fail('must be true or false')
  } else {
    if (typeof value !== 'string') return fail('must be a string')
    if (value.length > 10000) return fail('is too long')
    if (def.required && value.trim() === '') return fail('is required')
  }
  const extra = def.check?.(value as SettingValue)
  if (extra) return fail(extra)
  if (def.key === 'proxy_keys') return { ok: true, value: normaliseKeyList(value as string) }
  return { ok: true, value: value as SettingValue }
}

/** Splits, trims and re-joins a comma list, as v1 does for `proxy_keys`. */
export const normaliseKeyList = (s: string) =>
  s
    .split(/[,\n]/)
    .map((k) => k.trim())
    .filter(Boolean)
    .join(',')

/** Stored rows are strings; turn them into typed settings, ignoring unknown or broken rows. */
export const toSettings = (rows: Record<string, string>): Settings => {
  const out = defaultSettings() as unknown as Record<string, SettingValue>
  for (const def of SETTING_DEFS) {
    const raw = rows[def.key]
    if (raw === undefined) continue
    const v = def.type === 'int' ? Number(raw) : def.type === 'bool' ? raw === 'true' : raw
    if (def.type === 'int' && !Number.isInteger(v)) continue
    out[def.key] = v
  }
  return out as unknown as Settings
}

export const toStoredValue = (v: SettingValue) => String(v)

/** Validates a group's `config` overrides: only overridable keys, typed values, nulls dropped. */
export const checkGroupConfig = (
  config: Record<string, unknown>,
): { ok: true; value: Record<string, SettingValue> } | { ok: false; message: string } => {
  const out: Record<string, SettingValue> = {}
  for (const [key, value] of Object.entries(config)) {
    if (value === null || value === undefined) continue
    const def = SETTING_BY_KEY.get(key)
    if (!def || !def.groupOverridable)
      return { ok: false, message: `config.${key}: is not a group setting` }
    const r = checkSetting(def, value)
    if (!r.ok) return { ok: false, message: `config.${r.message}` }
    out[key] = r.value
  }
  return { ok: true, value: out }
}

export const effectiveSettings = (
  system: Settings,
  overrides: Record<string, unknown> | null,
): Settings => {
  if (!overrides) return system
  const out = { ...system } as unknown as Record<string, SettingValue>
  for (const [k, v] of Object.entries(overrides)) {
    const def = SETTING_BY_KEY.get(k)
    if (def?.groupOverridable && v !== null && typeof v === typeof def.default)
      out[k] = v as SettingValue
  }
  return out as unknown as Settings
}
