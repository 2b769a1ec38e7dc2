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

export interface LogItem {
  id: string
  timestamp: string
  group_name: string
  key_value: string
  model: string
  is_success: boolean
  status_code: number
  duration_ms: number
  error_message: string
  request_type: string
  is_stream: boolean
}
