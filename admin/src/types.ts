// The shapes of the admin API's `data` (src/admin/*.ts), as far as the console reads them.

export interface Paginated<T> {
  items: T[]
  pagination: { page: number; page_size: number; total_items: number; total_pages: number }
}

export interface StatCard {
  value: number
  sub_value?: number
  trend: number
  /** True when the change is the good direction (for the error rate: falling). */
  trend_is_growth: boolean
}

export interface SecurityWarning {
  type: string
  message: string
  severity: 'high' | 'medium'
  suggestion: string
}

export interface DashboardStats {
  key_count: StatCard
  rpm: StatCard
  request_count: StatCard
  error_rate: StatCard
  security_warnings: SecurityWarning[]
}

export interface ChartData {
  labels: string[]
  datasets: { label: string; data: number[]; color: string }[]
}

export interface EncryptionStatus {
  has_mismatch: boolean
  scenario_type: string
  message: string
  suggestion: string
}

/** An upstream whose circuit is not closed (GET /api/dashboard/upstreams). */
export interface UpstreamCircuit {
  upstream: string
  state: 'open' | 'half_open'
  failure: string
  cause: string
  since: string
  retry_at: string
  probing: boolean
}

export type SettingValue = number | boolean | string

export interface SettingMeta {
  key: string
  name: string
  value: SettingValue
  type: 'int' | 'bool' | 'string'
  default_value: string
  description: string
  category: string
  min_value?: number
  max_value?: number
  required: boolean
}

export interface SettingCategory {
  category_name: string
  settings: SettingMeta[]
}

export interface Group {
  id: number
  name: string
  display_name: string
  description: string
  group_type: 'standard' | 'aggregate'
  channel_type: string
  endpoint: string
  enabled: boolean
}

export interface KeyItem {
  id: number
  key_value: string
  status: 'active' | 'invalid'
  notes: string
  request_count: number
  failure_count: number
  enabled: boolean
  last_used_at: string | null
}

export interface TaskStatus {
  task_type: string
  is_running: boolean
  group_name: string
  processed: number
  total: number
  result?: Record<string, number>
  error?: string
}

/** One request-log row (src/admin/logs.ts `toLogItem`); `key_value` is the masked key. */
export interface LogItem {
  id: string
  timestamp: string
  group_id: number
  group_name: string
  parent_group_id: number
  parent_group_name: string
  key_value: string
  key_hash: string
  model: string
  is_success: boolean
  source_ip: string
  status_code: number
  request_path: string
  duration_ms: number
  error_message: string
  user_agent: string
  request_type: 'retry' | 'final'
  upstream_addr: string
  is_stream: boolean
  request_body: string
}

/** A key's health state in its history (src/store/types-records.ts `KeyEventState`). */
export type KeyState = 'active' | 'cooling' | 'invalid' | 'disabled'

/** One health transition of a key (GET /api/keys/{id}/history), newest first. */
export interface KeyEvent {
  id: number
  key_id: number
  time: string
  /** Null when the state before is not known. */
  from_state: KeyState | null
  to_state: KeyState
  /** The upstream status that caused it; 0 for admin actions and validation. */
  status_code: number
  message: string
}

/** POST /api/keys/test-multiple. */
export interface KeyTestResults {
  results: { key_value: string; is_valid: boolean; error: string }[]
  total_duration: number
}

// Groups screens (create/edit forms, stats, sub-groups): the full group as GET /api/groups lists it.
export interface HeaderRule {
  key: string
  value: string
  action: 'set' | 'remove'
}

export interface GroupFull extends Group {
  upstreams: { url: string; weight: number }[]
  sort: number
  test_model: string
  validation_endpoint: string
  param_overrides: Record<string, unknown>
  model_redirect_rules: Record<string, string>
  model_redirect_strict: boolean
  config: Record<string, SettingValue>
  header_rules: HeaderRule[]
  /** Upstream errors and what the gateway does about them (issue 11 §6). */
  failover_rules: FailoverRule[]
  proxy_keys: string
}

/** GET /api/groups/config-options: the settings a group may override. */
export interface ConfigOption {
  key: string
  name: string
  description: string
  default_value: SettingValue
  min_value?: number
  max_value?: number
}

export interface WindowStats {
  total_requests: number
  failed_requests: number
  failure_rate: number
}

export interface GroupStats {
  key_stats: {
    total_keys: number
    active_keys: number
    invalid_keys: number
    disabled_keys: number
  }
  stats_24_hour: WindowStats
  stats_7_day: WindowStats
  stats_30_day: WindowStats
}

/** GET /api/groups/{id}/sub-groups. */
export interface FailoverRule {
  status: number | string
  code?: string
  message?: string
  message_regex?: string
  action: 'failover' | 'return' | 'key_fault'
}

export interface SubGroupItem {
  group: GroupFull
  weight: number
  /** Higher is preferred; equal priorities share by weight. */
  priority: number
  total_keys: number
  active_keys: number
  invalid_keys: number
  disabled_keys: number
}

/** GET /api/groups/{id}/parent-aggregate-groups. */
export interface ParentGroup {
  group_id: number
  name: string
  display_name: string
  weight: number
  priority: number
}
