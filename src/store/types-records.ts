// Store records beyond groups and keys: request logs and their filters, hourly stats, key health
// and its history, stored key rows for migrate-keys, and the shared task row.
/** A key's health as stored: `invalid` keys are skipped by picks until restored. */
export type KeyStatus = 'active' | 'invalid'

/** One row per upstream attempt (reference §3.5); the key only as hash plus masked form. */
/** Successful uses of one key: how many, and the latest (ms since the epoch). */
export interface KeyUsage {
  group_id: number
  key_hash: string
  n: number
  last: number
}

export interface RequestLog {
  id: string
  timestamp: Date
  group_id: number
  group_name: string
  parent_group_id: number
  parent_group_name: string
  key_hash: string
  key_masked: string
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

export interface LogQuery {
  page: number
  page_size: number
  parent_group_name?: string
  group_name?: string
  key_hash?: string
  model?: string
  is_success?: boolean
  request_type?: 'retry' | 'final'
  status_code?: number
  source_ip?: string
  error_contains?: string
  start_time?: Date
  end_time?: Date
}

/** The log filters without paging: what the CSV export pages through by key hash. */
export type LogFilter = Omit<LogQuery, 'page' | 'page_size'>

/** A key's latest log row, as the log export lists it. */
export interface LogKeyRow {
  key_hash: string
  key_masked: string
  group_name: string
  status_code: number
}

export interface HourlyStat {
  time: Date
  group_id: number
  success_count: number
  failure_count: number
}

/** A key's health as persisted; written off the hot path when the pool reports a change. */
export interface KeyHealthUpdate {
  id: number
  status: KeyStatus
  failure_count: number
}

/** A key's state as its history records it: the pool's states plus the manual switch. */
export type KeyEventState = 'active' | 'cooling' | 'invalid' | 'disabled'

/** One health transition of a key, with the status code and message that caused it. */
export interface KeyEvent {
  id: number
  key_id: number
  group_id: number
  time: Date
  /** Null when the state before is not known. */
  from_state: KeyEventState | null
  to_state: KeyEventState
  /** The upstream status that caused it; 0 for admin actions and validation. */
  status_code: number
  message: string
}

export type NewKeyEvent = Omit<KeyEvent, 'id'>

/** A key as stored, value possibly sealed: what migrate-keys reads. */
export interface StoredKeyRow {
  id: number
  key_value: string
  key_hash: string
}

/** One key's new stored value and hash; logs under `old_hash` move to the new one. */
export interface KeyRewrite extends StoredKeyRow {
  old_hash: string
}

export type TaskType = 'KEY_VALIDATION' | 'KEY_IMPORT' | 'KEY_DELETE'

/** The key task's status as GET /api/tasks/status shows it, stored as JSON in task_state. */
export interface TaskStatus {
  task_type: TaskType | ''
  is_running: boolean
  group_name: string
  processed: number
  total: number
  result?: Record<string, number>
  error?: string
  /** RFC 3339; null when no task has run yet. */
  started_at: string | null
  finished_at?: string
  duration_seconds?: number
}

/**
 * Where a running task stands, so any node or isolate can continue it: what it does, and how far
 * it got. `cursor` is the next input part (import, delete) or the last key id done (validate);
 * `counts` are its result so far, saved together with the cursor.
 */
export interface TaskJob {
  kind: TaskType
  group_id: number
  /** Validate only: the status filter it was started with. */
  status_filter?: KeyStatus
  /** Import and delete: how many input parts (task_input rows) there are. */
  parts: number
  cursor: number
  counts: Record<string, number>
  /** Epoch ms of the start, for duration_seconds. */
  started_ms: number
}

/** The one shared task row: which driver may write it, the status, and the resumable job. */
export interface TaskState {
  /** The id of the driver that last started or took over the task: only it may write. */
  owner: string
  status: TaskStatus | null
  job: TaskJob | null
}
