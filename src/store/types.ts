// The relational Store: domain methods over SQL. One drizzle implementation per dialect family;
// the contract suite in test/store.contract.ts runs against each. Absent values are `null`.

import type {
  HourlyStat,
  KeyStatus,
  KeyEvent,
  KeyHealthUpdate,
  KeyRewrite,
  KeyUsage,
  LogFilter,
  LogKeyRow,
  LogQuery,
  NewKeyEvent,
  RequestLog,
  StoredKeyRow,
  TaskJob,
  TaskState,
  TaskStatus,
} from './types-records'

// Log, history and task records live apart, so this file keeps to the Store's shape.
export type * from './types-records'

export type GroupType = 'standard' | 'aggregate'
export type { KeyStatus } from './types-records'

export interface Upstream {
  url: string
  weight: number
}

export interface HeaderRule {
  key: string
  value: string
  action: 'set' | 'remove'
}

/**
 * A group's rule for one kind of upstream error (issue 11 §6): `status` is a code or a "lo-hi"
 * range; `code` matches the provider's error code, type or Gemini status; `message` is a
 * case-insensitive substring and `message_regex` a case-insensitive pattern of the error message.
 */
export interface FailoverRule {
  status: number | string
  code?: string
  message?: string
  message_regex?: string
  action: 'failover' | 'return' | 'key_fault'
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
  failover_rules: FailoverRule[]
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
  /** Higher is preferred; equal priorities share by weight. */
  priority: number
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
  /** As stored: sealed when ENCRYPTION_KEY is set (KeyService.openRows opens it). */
  key_value: string
  key_hash: string
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
    items: Array<{ sub_group_id: number; weight: number; priority?: number }>,
  ): Promise<void>
  /** Changes the fields given; false when the membership does not exist. */
  updateSubGroup(
    groupId: number,
    subGroupId: number,
    patch: { weight?: number; priority?: number },
  ): Promise<boolean>
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
  /**
   * Adds keys not yet in the group (dedupe by hash, in chunks). Returns the inserted rows, in id
   * order.
   */
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
  /**
   * Inserts a batch; rolls final rows into hourly stats and successes into per-key usage. Rows
   * whose id is stored already are skipped, counters included, so a retried batch counts once.
   * `fresh`: no row was ever offered before, so that read is spared (one lookup per row).
   * `usage: false`: the caller writes the per-key usage itself, with addKeyUsage.
   */
  insertLogs(rows: RequestLog[], opts?: { fresh?: boolean; usage?: boolean }): Promise<void>
  /** Adds successful uses to keys' request_count and moves last_used_at forward, never back. */
  addKeyUsage(usage: KeyUsage[]): Promise<void>
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

  // task state: one row shared by every node. The lock is the coordination lease `task`;
  // `owner` fences the writes of a driver that lost it.
  /**
   * Stores the starting status and job and makes `owner` the only writer (after taking the
   * lease). The job is what lets another node continue the task (src/keys/task-drive.ts).
   */
  startTask(owner: string, status: TaskStatus, job?: TaskJob | null): Promise<void>
  /** Saves the status (and the job when given) while `owner` is the row's writer; else false. */
  saveTaskStatus(owner: string, status: TaskStatus, job?: TaskJob): Promise<boolean>
  /** Makes `to` the writer when `from` still is (a driver taking over); false otherwise. */
  claimTask(from: string, to: string): Promise<boolean>
  /** The shared row, or null before any task has run. */
  getTaskState(): Promise<TaskState | null>
  /** Replaces the task input with these parts (opaque text, numbered from 0), in batches. */
  putTaskInput(parts: string[]): Promise<void>
  /** Input part `seq`, or null when there is none. */
  getTaskInput(seq: number): Promise<string | null>

  /** A cheap round trip (readiness); rejects when the database cannot be reached. */
  ping(): Promise<void>

  close(): Promise<void>
}
