// System settings (reference §5.1): typed values, validation, and the effective value for a group
// (defaults ← system ← group overrides). The definitions live in setting-defs.ts.
import { SETTING_BY_KEY, SETTING_DEFS, type SettingDef, type SettingValue } from './setting-defs'

export * from './setting-defs'

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
  first_byte_timeout: number
  stream_idle_timeout: number
  stream_heartbeat_interval: number
  max_idle_conns: number
  max_idle_conns_per_host: number
  proxy_url: string
  max_retries: number
  member_max_attempts: number
  blacklist_threshold: number
  max_wait_for_key_ms: number
  failover_status_codes: string
  incident_min_keys: number
  incident_window_seconds: number
  circuit_open_seconds: number
  key_probe_interval_seconds: number
  key_probes_per_minute: number
  key_validation_interval_minutes: number
  key_validation_concurrency: number
  key_validation_timeout_seconds: number
}

export const defaultSettings = (): Settings =>
  Object.fromEntries(SETTING_DEFS.map((d) => [d.key, d.default])) as unknown as Settings

const inRange = (def: SettingDef, v: number) =>
  (def.min === undefined || v >= def.min) && (def.max === undefined || v <= def.max)

const rangeText = (def: SettingDef) =>
  def.max === undefined
    ? `must be at least ${def.min}`
    : `must be between ${def.min} and ${def.max}`

/**
 * A stored int brought into its range: rows written by older versions (which had no maximum) or
 * by hand are clamped, never used raw. Null when it is not an integer at all.
 */
export const clampSetting = (def: SettingDef, v: unknown): number | null => {
  if (typeof v !== 'number' || !Number.isInteger(v)) return null
  return Math.min(Math.max(v, def.min ?? v), def.max ?? v)
}

/** Checks one value against its definition; returns the typed value or an error message. */
export const checkSetting = (
  def: SettingDef,
  value: unknown,
): { ok: true; value: SettingValue } | { ok: false; message: string } => {
  const fail = (m: string) => ({ ok: false as const, message: `${def.key}: ${m}` })
  if (def.type === 'int') {
    if (typeof value !== 'number' || !Number.isInteger(value)) return fail('must be an integer')
    if (!inRange(def, value)) return fail(rangeText(def))
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

/** Defaults that depend on where the gateway runs: `app_url` follows the adapter's address. */
export const runtimeDefaults = (appUrl?: () => string): Partial<Settings> =>
  appUrl ? { app_url: appUrl() } : {}

/**
 * Stored rows are strings; turn them into typed settings, ignoring unknown or broken rows. A key
 * with no row takes `defaults`, then its definition's default.
 */
export const toSettings = (
  rows: Record<string, string>,
  defaults: Partial<Settings> = {},
): Settings => {
  const out = { ...defaultSettings(), ...defaults } as unknown as Record<string, SettingValue>
  for (const def of SETTING_DEFS) {
    const raw = rows[def.key]
    if (raw === undefined) continue
    const v =
      def.type === 'int'
        ? clampSetting(def, Number(raw))
        : def.type === 'bool'
          ? raw === 'true'
          : raw
    if (v === null) continue
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
    if (!def?.groupOverridable || v === null || typeof v !== typeof def.default) continue
    // A stored override is checked like a system row: out of range is clamped, a fraction ignored.
    const value = def.type === 'int' ? clampSetting(def, v) : (v as SettingValue)
    if (value !== null) out[k] = value
  }
  return out as unknown as Settings
}
