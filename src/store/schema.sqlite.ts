// SQLite schema (libsql on Node, D1 on Workers) for the Store. Follows gpt-load v1 §3 with our
// changes: keys are deduplicated by a unique (group_id, key_hash) index, and request_logs keeps
// only the key's hash and masked form. Column names are the snake_case the Store types use.
import { sql } from 'drizzle-orm'
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { logKeyBucket } from './log-key-bucket'
import type {
  FailoverRule,
  GroupType,
  HeaderRule,
  KeyEventState,
  KeyStatus,
  RequestLog,
  TaskJob,
  TaskStatus,
  Upstream,
} from './types'

const id = () => integer('id').primaryKey({ autoIncrement: true })
const createdAt = () =>
  integer('created_at', { mode: 'timestamp_ms' })
    .notNull()
    .$defaultFn(() => new Date())
const updatedAt = () =>
  integer('updated_at', { mode: 'timestamp_ms' })
    .notNull()
    .$defaultFn(() => new Date())

export const systemSettings = sqliteTable('system_settings', {
  id: id(),
  setting_key: text('setting_key').notNull().unique(),
  setting_value: text('setting_value').notNull(),
  description: text('description').notNull().default(''),
  created_at: createdAt(),
  updated_at: updatedAt(),
})

export const groups = sqliteTable('groups', {
  id: id(),
  name: text('name').notNull().unique(),
  display_name: text('display_name').notNull().default(''),
  description: text('description').notNull().default(''),
  group_type: text('group_type').$type<GroupType>().notNull().default('standard'),
  upstreams: text('upstreams', { mode: 'json' })
    .$type<Upstream[]>()
    .notNull()
    .default(sql`'[]'`),
  channel_type: text('channel_type').notNull(),
  sort: integer('sort').notNull().default(0),
  test_model: text('test_model').notNull(),
  validation_endpoint: text('validation_endpoint').notNull().default(''),
  param_overrides: text('param_overrides', { mode: 'json' })
    .$type<Record<string, unknown>>()
    .notNull()
    .default(sql`'{}'`),
  model_redirect_rules: text('model_redirect_rules', { mode: 'json' })
    .$type<Record<string, string>>()
    .notNull()
    .default(sql`'{}'`),
  model_redirect_strict: integer('model_redirect_strict', { mode: 'boolean' })
    .notNull()
    .default(false),
  config: text('config', { mode: 'json' })
    .$type<Record<string, unknown>>()
    .notNull()
    .default(sql`'{}'`),
  header_rules: text('header_rules', { mode: 'json' })
    .$type<HeaderRule[]>()
    .notNull()
    .default(sql`'[]'`),
  failover_rules: text('failover_rules', { mode: 'json' })
    .$type<FailoverRule[]>()
    .notNull()
    .default(sql`'[]'`),
  proxy_keys: text('proxy_keys').notNull().default(''),
  // Manual on/off, kept apart from key health: a disabled group answers the proxy with 503.
  enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
  last_validated_at: integer('last_validated_at', { mode: 'timestamp_ms' }),
  created_at: createdAt(),
  updated_at: updatedAt(),
})

export const groupSubGroups = sqliteTable(
  'group_sub_groups',
  {
    id: id(),
    group_id: integer('group_id').notNull(),
    sub_group_id: integer('sub_group_id').notNull(),
    weight: integer('weight').notNull().default(0),
    // Higher is preferred: lower priorities serve only when the higher ones cannot (issue 11 §6).
    priority: integer('priority').notNull().default(0),
    created_at: createdAt(),
    updated_at: updatedAt(),
  },
  (t) => [
    uniqueIndex('idx_group_sub').on(t.group_id, t.sub_group_id),
    index('idx_group_sub_groups_sub_group_id').on(t.sub_group_id),
  ],
)

export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: id(),
    group_id: integer('group_id').notNull(),
    key_value: text('key_value').notNull(),
    key_hash: text('key_hash').notNull(),
    status: text('status').$type<KeyStatus>().notNull().default('active'),
    notes: text('notes').notNull().default(''),
    request_count: integer('request_count').notNull().default(0),
    failure_count: integer('failure_count').notNull().default(0),
    // Manual on/off, kept apart from `status` (health): a disabled key is never in the pool.
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
    last_used_at: integer('last_used_at', { mode: 'timestamp_ms' }),
    created_at: createdAt(),
    updated_at: updatedAt(),
  },
  (t) => [
    // Dedupe is enforced here (v1 did it in the application): inserts use ON CONFLICT DO NOTHING.
    // Every lookup by hash names the group, so this index serves them all; a second index on
    // key_hash alone cost a 100k import a third of its time in random page writes.
    uniqueIndex('idx_api_keys_group_key_hash').on(t.group_id, t.key_hash),
    // Pool loading over all statuses: (group_id, rowid) gives `id > ? ORDER BY id` without a sort.
    index('idx_api_keys_group_id').on(t.group_id),
    // Pool loading (`id > ?` per group and status) and status counts.
    index('idx_api_keys_group_status_id').on(t.group_id, t.status, t.id),
    // The admin list order: last_used_at desc, id desc within a group.
    index('idx_api_keys_group_last_used_id').on(t.group_id, t.last_used_at, t.id),
  ],
)

export const requestLogs = sqliteTable(
  'request_logs',
  {
    id: text('id').primaryKey(),
    timestamp: integer('timestamp', { mode: 'timestamp_ms' }).notNull(),
    group_id: integer('group_id').notNull(),
    group_name: text('group_name').notNull().default(''),
    parent_group_id: integer('parent_group_id').notNull().default(0),
    parent_group_name: text('parent_group_name').notNull().default(''),
    key_hash: text('key_hash').notNull().default(''),
    key_masked: text('key_masked').notNull().default(''),
    model: text('model').notNull().default(''),
    is_success: integer('is_success', { mode: 'boolean' }).notNull(),
    source_ip: text('source_ip').notNull().default(''),
    status_code: integer('status_code').notNull(),
    request_path: text('request_path').notNull().default(''),
    duration_ms: integer('duration').notNull().default(0),
    error_message: text('error_message').notNull().default(''),
    user_agent: text('user_agent').notNull().default(''),
    request_type: text('request_type')
      .$type<RequestLog['request_type']>()
      .notNull()
      .default('final'),
    upstream_addr: text('upstream_addr').notNull().default(''),
    is_stream: integer('is_stream', { mode: 'boolean' }).notNull().default(false),
    request_body: text('request_body').notNull().default(''),
  },
  // Only indexes a query uses: every extra one costs each log insert a B-tree write, and the
  // name/model filters are LIKE '%x%', which no index serves. The key lookups' index leads with
  // the hash's first character, then time: rows from 100,000 keys then append at 16 places
  // instead of each dirtying a random page of a whole-hash index (dialect.logKeyBucket).
  (t) => [
    index('idx_request_logs_timestamp').on(t.timestamp),
    index('idx_request_logs_key_bucket').on(logKeyBucket(t.key_hash), t.timestamp, t.key_hash),
  ],
)

export const groupHourlyStats = sqliteTable(
  'group_hourly_stats',
  {
    id: id(),
    time: integer('time', { mode: 'timestamp_ms' }).notNull(),
    group_id: integer('group_id').notNull(),
    success_count: integer('success_count').notNull().default(0),
    failure_count: integer('failure_count').notNull().default(0),
    created_at: createdAt(),
    updated_at: updatedAt(),
  },
  (t) => [uniqueIndex('idx_group_time').on(t.time, t.group_id)],
)

// Health transitions of a key (edgeload issue 3). Rows outlive their key: deleting keys or groups
// leaves them, and AUTOINCREMENT ids are never reused, so they cannot attach to a new key.
export const keyEvents = sqliteTable(
  'key_events',
  {
    id: id(),
    key_id: integer('key_id').notNull(),
    group_id: integer('group_id').notNull(),
    time: integer('time', { mode: 'timestamp_ms' }).notNull(),
    from_state: text('from_state').$type<KeyEventState>(),
    to_state: text('to_state').$type<KeyEventState>().notNull(),
    status_code: integer('status_code').notNull().default(0),
    message: text('message').notNull().default(''),
  },
  // A key's history, newest first: `key_id = ? ORDER BY id DESC` without a sort.
  (t) => [index('idx_key_events_key_id').on(t.key_id, t.id)],
)

// The key task's status, shared by every node on this database: a single row (id 1). The lock is
// the coordination lease `task`; `owner` fences writes, so a node that lost the lease cannot
// overwrite the status of the task that replaced it.
export const taskState = sqliteTable('task_state', {
  id: integer('id').primaryKey(),
  owner: text('owner').notNull().default(''),
  status: text('status', { mode: 'json' }).$type<TaskStatus>(),
  job: text('job', { mode: 'json' }).$type<TaskJob>(),
})

// The running task's input (the keys of an import or delete), in parts of at most
// TASK_PART_KEYS keys as JSON (sealed when keys are encrypted at rest), so a 100k-key import is
// read back one bounded row at a time by whichever node continues it (D1 caps a row at 2 MB).
export const taskInput = sqliteTable('task_input', {
  seq: integer('seq').primaryKey(),
  keys: text('keys').notNull(),
})

// Coordination on the Store's database (src/coord/sql.ts): named leases with an expiry (epoch ms)
// and named version counters. Each operation is one statement, so it is atomic across nodes.
export const coordLeases = sqliteTable('coord_leases', {
  name: text('name').primaryKey(),
  owner: text('owner').notNull(),
  until: integer('until').notNull(),
})

export const coordVersions = sqliteTable('coord_versions', {
  name: text('name').primaryKey(),
  version: integer('version').notNull(),
})

// One-off data repairs that a migration asks for but SQL cannot do (each row names one), run by
// runPendingRepairs at start and then deleted: e.g. `utf8`, text stored as invalid UTF-8.
export const pendingRepairs = sqliteTable('pending_repairs', {
  name: text('name').primaryKey(),
})
