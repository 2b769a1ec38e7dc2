// The relational Store: domain methods over SQL. One drizzle implementation per dialect family;
// the contract suite in test/store.contract.ts runs against each. Absent values are `null`.

export type GroupType = 'standard' | 'aggregate'
export type KeyStatus = 'active' | 'invalid'

export interface Upstream {
  url: string
  weight: number
}

export interface HeaderRule {
  key: string
  value: string
  action: 'set' | 'remove'
}

export interface Group {
  id: number
  name: string
  display_name: string
  description: string
  group_type: GroupType
  upstreams: Upstream[]
  channel_type: string
  sort: number
  test_model: string
  validation_endpoint: string
  param_overrides: Record<string, unknown>
  model_redirect_rules: Record<string, string>
  model_redirect_strict: boolean
  config: Record<string, unknown>
  header_rules: HeaderRule[]
  proxy_keys: string
  /** Manual switch; a disabled group answers the proxy with 503. */
  enabled: boolean
  last_validated_at: Date | null
  created_at: Date
  updated_at: Date
}

/** `enabled` is not part of it: only setGroupEnabled changes it. */
export type GroupInput = Omit<
  Group,
  'id' | 'created_at' | 'updated_at' | 'last_validated_at' | 'enabled'
>

/** One aggregate membership: `group_id` is the aggregate, `sub_group_id` the member. */
export interface SubGroupRow {
  group_id: number
  sub_group_id: number
  weight: number
}

export interface ApiKey {
  id: number
  group_id: number
  key_value: string
  key_hash: string
  status: KeyStatus
  notes: string
  request_count: number
  failure_count: number
  /** Manual switch, apart from `status` (health): a disabled key is never in the pool. */
  enabled: boolean
  last_used_at: Date | null
  created_at: Date
  updated_at: Date
}

/** What the key pool needs to (re)load a group: no timestamps, no notes. */
export interface PoolKeyRow {
  id: number
  key_value: string
  status: KeyStatus
  failure_count: number
  /** The store always sets it; the pool skips rows with `false` (absent means enabled). */
  enabled?: boolean
}

export interface KeyCounts {
  total: number
  active: number
  invalid: number
  disabled: number
}

export interface NewKey {
  key_value: string
  key_hash: string
}

export interface KeyQuery {
  group_id: number
  status?: KeyStatus
  key_hash?: string
  page: number
  page_size: number
}

export interface Page<T> {
  items: T[]
  total: number
}

/** One row per upstream attempt (reference §3.5); the key only as hash plus masked form. */
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

/** The one shared task row: who holds the lock (empty: nobody), until when, and the status. */
export interface TaskState {
  owner: string
  /** Epoch ms; a lease at or before now is dead, whatever `owner` says. */
  lease_until: number
  status: TaskStatus | null
}

export interface Store {
  // settings: raw string rows keyed by setting_key
  getSettings(): Promise<Record<string, string>>
  putSettings(values: Record<string, string>): Promise<void>
  /** Inserts only the rows that do not exist yet (first-start seeding). */
  seedSettings(values: Record<string, string>): Promise<void>

  // groups
  listGroups(): Promise<Group[]>
  getGroup(id: number): Promise<Group | null>
  getGroupByName(name: string): Promise<Group | null>
  /** Throws AppError 409 DUPLICATE_RESOURCE when the name is taken. */
  createGroup(input: GroupInput): Promise<Group>
  updateGroup(id: number, patch: Partial<GroupInput>): Promise<Group | null>
  /** Deletes the group and its keys (logs and stats are kept). */
  deleteGroup(id: number): Promise<boolean>
  setGroupValidatedAt(id: number, at: Date): Promise<void>
  /** Turns a group on or off; false when there is no such group. */
  setGroupEnabled(id: number, enabled: boolean): Promise<boolean>
  /** Sets `sort` on each listed group in one atomic batch; unknown ids are skipped. */
  setGroupSorts(items: Array<{ id: number; sort: number }>): Promise<void>

  // aggregate membership
  /** Members of one aggregate, or every membership row when `groupId` is null. */
  listSubGroups(groupId: number | null): Promise<SubGroupRow[]>
  /** Inserts in one statement; a member already present fails the whole insert. */
  addSubGroups(
    groupId: number,
    items: Array<{ sub_group_id: number; weight: number }>,
  ): Promise<void>
  setSubGroupWeight(groupId: number, subGroupId: number, weight: number): Promise<boolean>
  deleteSubGroup(groupId: number, subGroupId: number): Promise<boolean>
  /** The memberships naming this group as a member. */
  parentGroups(subGroupId: number): Promise<SubGroupRow[]>

  // keys
  listKeys(q: KeyQuery): Promise<Page<ApiKey>>
  getKey(id: number): Promise<ApiKey | null>
  /** Keys of a group in id order after `afterId`, for loading the pool in batches. */
  loadKeys(
    groupId: number,
    afterId: number,
    limit: number,
    status?: KeyStatus,
  ): Promise<PoolKeyRow[]>
  /** Adds keys not yet in the group (dedupe by hash, in chunks). Returns the inserted rows. */
  addKeys(groupId: number, keys: NewKey[]): Promise<PoolKeyRow[]>
  /** Ids of the group's keys with these hashes (optionally only in one status). */
  findKeyIds(groupId: number, hashes: string[], status?: KeyStatus): Promise<number[]>
  deleteKeys(groupId: number, ids: number[]): Promise<number>
  /** Deletes all keys of the group (or only those in `status`); returns the deleted ids. */
  clearKeys(groupId: number, status?: KeyStatus): Promise<number[]>
  /**
   * Turns keys of a group on or off; enabling also makes them active (failure_count is kept).
   * Returns the rows that changed, as the pool loads them.
   */
  setKeysEnabled(groupId: number, ids: number[], enabled: boolean): Promise<PoolKeyRow[]>
  /** Sets status active and failure_count 0 on enabled keys; returns the ids that changed. */
  restoreKeys(groupId: number, ids: number[] | 'all-invalid'): Promise<number[]>
  setKeyNotes(id: number, notes: string): Promise<boolean>
  updateKeyHealth(updates: KeyHealthUpdate[]): Promise<void>
  /** Key counts: `active` and `invalid` are enabled keys by health; `disabled` the rest. */
  countKeys(groupId: number | null): Promise<KeyCounts>

  // key history
  addKeyEvents(rows: NewKeyEvent[]): Promise<void>
  /** One key's events, newest first. */
  listKeyEvents(keyId: number, page: number, pageSize: number): Promise<Page<KeyEvent>>

  // key encryption at rest (migrate-keys, encryption status); values here are as stored
  /** Every group's keys in id order after `afterId`. */
  scanKeys(afterId: number, limit: number): Promise<StoredKeyRow[]>
  /** Rewrites values and hashes, and re-points request logs to the new hashes, atomically. */
  rewriteKeys(rows: KeyRewrite[]): Promise<void>
  /** One stored value starting with `prefix`, and whether any value does not. */
  keyStorageSample(prefix: string): Promise<{ sealed: string | null; plain: boolean }>

  // logs and stats
  /** Inserts a batch; rolls final rows into hourly stats and successes into per-key usage. */
  insertLogs(rows: RequestLog[]): Promise<void>
  queryLogs(q: LogQuery): Promise<Page<RequestLog>>
  deleteLogsBefore(t: Date): Promise<number>
  hourlyStats(from: Date, to: Date, groupId?: number): Promise<HourlyStat[]>
  /** Rows with `from <= timestamp < to` (optionally of one request_type), via the time index. */
  countLogs(q: { from: Date; to: Date; request_type?: 'retry' | 'final' }): Promise<number>
  /**
   * One row per distinct non-empty key_hash among the matching logs (that hash's latest row),
   * ordered by key_hash, starting after `afterHash`: the CSV export's keyset paging.
   */
  logKeys(q: LogFilter, afterHash: string, limit: number): Promise<LogKeyRow[]>

  // task state: one row shared by every node; the lock is a lease, each write one statement
  /**
   * Takes the lock for `owner` until `leaseUntil` and stores the starting status, only when no
   * live lease exists (owner empty or lease_until <= now). True when this owner got it.
   */
  acquireTask(owner: string, leaseUntil: number, now: number, status: TaskStatus): Promise<boolean>
  /** Extends the owner's lease; false when the owner no longer holds the lock. */
  renewTask(owner: string, leaseUntil: number): Promise<boolean>
  /** Saves the status while `owner` holds the lock; false (nothing written) otherwise. */
  saveTaskStatus(owner: string, status: TaskStatus): Promise<boolean>
  /** Frees the owner's lock and stores the final status; false when the owner had lost it. */
  releaseTask(owner: string, status: TaskStatus): Promise<boolean>
  /** The shared row, or null before any task has run. */
  getTaskState(): Promise<TaskState | null>

  close(): Promise<void>
}
