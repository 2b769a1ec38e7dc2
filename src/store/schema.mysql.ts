// MySQL / MariaDB schema for the Store: the tables, column keys, indexes and uniqueness of
// schema.sqlite.ts (read that file for what each table is for). What differs is only the types:
// indexed text is varchar (InnoDB indexes at most 3072 bytes, 768 utf8mb4 characters), long text is
// text or mediumtext, times are datetime(3) (milliseconds, written and read as UTC strings by
// drizzle), and JSON is parsed here because MariaDB returns its JSON type as plain text. Defaults of
// text and JSON columns are parenthesised expressions: MySQL 8 refuses literal ones there.
import { getTableColumns, is, sql } from 'drizzle-orm'
import {
  bigint,
  boolean,
  datetime,
  index,
  int,
  json,
  mediumtext,
  MySqlJson,
  mysqlTable,
  text,
  uniqueIndex,
  varchar,
  type MySqlTable,
} from 'drizzle-orm/mysql-core'
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

// drizzle's serial() is `serial AUTO_INCREMENT`, which MariaDB 10.11 refuses.
const id = () => bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey()
/** A reference to another table's id. */
const ref = (name: string) => bigint(name, { mode: 'number', unsigned: true })
const time = (name: string) => datetime(name, { mode: 'date', fsp: 3 })
const createdAt = () =>
  time('created_at')
    .notNull()
    .$defaultFn(() => new Date())
const updatedAt = () =>
  time('updated_at')
    .notNull()
    .$defaultFn(() => new Date())

/**
 * MySQL 8 has a real JSON type, which mysql2 parses; MariaDB's is LONGTEXT with a JSON_VALID
 * check, which arrives as a string that drizzle's json column would hand over as is. The table's
 * JSON columns parse whichever comes.
 */
const parsingJson = <T extends MySqlTable>(table: T): T => {
  for (const column of Object.values(getTableColumns(table))) {
    if (is(column, MySqlJson)) {
      column.mapFromDriverValue = (value: unknown) =>
        typeof value === 'string' ? JSON.parse(value) : value
    }
  }
  return table
}

export const systemSettings = mysqlTable('system_settings', {
  id: id(),
  setting_key: varchar('setting_key', { length: 255 }).notNull().unique(),
  setting_value: text('setting_value').notNull(),
  description: varchar('description', { length: 1024 }).notNull().default(''),
  created_at: createdAt(),
  updated_at: updatedAt(),
})

export const groups = parsingJson(
  mysqlTable('groups', {
    id: id(),
    // The admin API allows 100 characters of [a-z0-9_-].
    name: varchar('name', { length: 255 }).notNull().unique(),
    display_name: varchar('display_name', { length: 255 }).notNull().default(''),
    description: varchar('description', { length: 512 }).notNull().default(''),
    group_type: varchar('group_type', { length: 32 })
      .$type<GroupType>()
      .notNull()
      .default('standard'),
    upstreams: json('upstreams')
      .$type<Upstream[]>()
      .notNull()
      .default(sql`('[]')`),
    channel_type: varchar('channel_type', { length: 64 }).notNull(),
    sort: int('sort').notNull().default(0),
    test_model: varchar('test_model', { length: 255 }).notNull(),
    validation_endpoint: varchar('validation_endpoint', { length: 255 }).notNull().default(''),
    param_overrides: json('param_overrides')
      .$type<Record<string, unknown>>()
      .notNull()
      .default(sql`('{}')`),
    model_redirect_rules: json('model_redirect_rules')
      .$type<Record<string, string>>()
      .notNull()
      .default(sql`('{}')`),
    model_redirect_strict: boolean('model_redirect_strict').notNull().default(false),
    config: json('config')
      .$type<Record<string, unknown>>()
      .notNull()
      .default(sql`('{}')`),
    header_rules: json('header_rules')
      .$type<HeaderRule[]>()
      .notNull()
      .default(sql`('[]')`),
    failover_rules: json('failover_rules')
      .$type<FailoverRule[]>()
      .notNull()
      .default(sql`('[]')`),
    // Up to 10,000 characters (the admin API's limit).
    proxy_keys: text('proxy_keys').notNull().default(''),
    enabled: boolean('enabled').notNull().default(true),
    last_validated_at: time('last_validated_at'),
    created_at: createdAt(),
    updated_at: updatedAt(),
  }),
)

export const groupSubGroups = mysqlTable(
  'group_sub_groups',
  {
    id: id(),
    group_id: ref('group_id').notNull(),
    sub_group_id: ref('sub_group_id').notNull(),
    weight: int('weight').notNull().default(0),
    priority: int('priority').notNull().default(0),
    created_at: createdAt(),
    updated_at: updatedAt(),
  },
  (t) => [
    uniqueIndex('idx_group_sub').on(t.group_id, t.sub_group_id),
    index('idx_group_sub_groups_sub_group_id').on(t.sub_group_id),
  ],
)

export const apiKeys = mysqlTable(
  'api_keys',
  {
    id: id(),
    group_id: ref('group_id').notNull(),
    // Sealed values are longer than the key: text (64 KiB) holds any key an upstream issues.
    key_value: text('key_value').notNull(),
    // SHA-256 hex is 64 characters; room for a longer hash.
    key_hash: varchar('key_hash', { length: 128 }).notNull(),
    status: varchar('status', { length: 16 }).$type<KeyStatus>().notNull().default('active'),
    notes: text('notes').notNull().default(''),
    request_count: bigint('request_count', { mode: 'number' }).notNull().default(0),
    failure_count: int('failure_count').notNull().default(0),
    enabled: boolean('enabled').notNull().default(true),
    last_used_at: time('last_used_at'),
    created_at: createdAt(),
    updated_at: updatedAt(),
  },
  (t) => [
    uniqueIndex('idx_api_keys_group_key_hash').on(t.group_id, t.key_hash),
    index('idx_api_keys_group_id').on(t.group_id),
    index('idx_api_keys_group_status_id').on(t.group_id, t.status, t.id),
    index('idx_api_keys_group_last_used_id').on(t.group_id, t.last_used_at, t.id),
  ],
)

// The lengths follow what src/proxy/log.ts clips each field to.
export const requestLogs = mysqlTable(
  'request_logs',
  {
    // A UUID.
    id: varchar('id', { length: 64 }).primaryKey(),
    timestamp: time('timestamp').notNull(),
    group_id: ref('group_id').notNull(),
    group_name: varchar('group_name', { length: 255 }).notNull().default(''),
    parent_group_id: ref('parent_group_id').notNull().default(0),
    parent_group_name: varchar('parent_group_name', { length: 255 }).notNull().default(''),
    key_hash: varchar('key_hash', { length: 128 }).notNull().default(''),
    key_masked: varchar('key_masked', { length: 255 }).notNull().default(''),
    model: varchar('model', { length: 255 }).notNull().default(''),
    is_success: boolean('is_success').notNull(),
    source_ip: varchar('source_ip', { length: 255 }).notNull().default(''),
    status_code: int('status_code').notNull(),
    request_path: varchar('request_path', { length: 512 }).notNull().default(''),
    duration_ms: bigint('duration', { mode: 'number' }).notNull().default(0),
    error_message: varchar('error_message', { length: 2048 }).notNull().default(''),
    user_agent: varchar('user_agent', { length: 512 }).notNull().default(''),
    request_type: varchar('request_type', { length: 16 })
      .$type<RequestLog['request_type']>()
      .notNull()
      .default('final'),
    upstream_addr: varchar('upstream_addr', { length: 512 }).notNull().default(''),
    is_stream: boolean('is_stream').notNull().default(false),
    // Up to 65,000 characters, more than text's 64 KiB in utf8mb4.
    request_body: mediumtext('request_body')
      .notNull()
      .default(sql`('')`),
  },
  (t) => [
    index('idx_request_logs_timestamp').on(t.timestamp),
    index('idx_request_logs_key_hash').on(t.key_hash),
  ],
)

export const groupHourlyStats = mysqlTable(
  'group_hourly_stats',
  {
    id: id(),
    time: time('time').notNull(),
    group_id: ref('group_id').notNull(),
    success_count: bigint('success_count', { mode: 'number' }).notNull().default(0),
    failure_count: bigint('failure_count', { mode: 'number' }).notNull().default(0),
    created_at: createdAt(),
    updated_at: updatedAt(),
  },
  (t) => [uniqueIndex('idx_group_time').on(t.time, t.group_id)],
)

export const keyEvents = mysqlTable(
  'key_events',
  {
    id: id(),
    key_id: ref('key_id').notNull(),
    group_id: ref('group_id').notNull(),
    time: time('time').notNull(),
    from_state: varchar('from_state', { length: 32 }).$type<KeyEventState>(),
    to_state: varchar('to_state', { length: 32 }).$type<KeyEventState>().notNull(),
    status_code: int('status_code').notNull().default(0),
    message: text('message').notNull().default(''),
  },
  (t) => [index('idx_key_events_key_id').on(t.key_id, t.id)],
)

export const taskState = parsingJson(
  mysqlTable('task_state', {
    id: int('id').primaryKey(),
    owner: varchar('owner', { length: 255 }).notNull().default(''),
    status: json('status').$type<TaskStatus>(),
    job: json('job').$type<TaskJob>(),
  }),
)

// A part holds up to 1000 keys as JSON: past text's 64 KB, hence mediumtext.
export const taskInput = mysqlTable('task_input', {
  seq: int('seq').primaryKey(),
  keys: mediumtext('keys').notNull(),
})

export const coordLeases = mysqlTable('coord_leases', {
  name: varchar('name', { length: 255 }).primaryKey(),
  owner: varchar('owner', { length: 255 }).notNull(),
  // Epoch ms, as on SQLite: coordination compares it with its own clock.
  until: bigint('until', { mode: 'number' }).notNull(),
})

export const coordVersions = mysqlTable('coord_versions', {
  name: varchar('name', { length: 255 }).primaryKey(),
  version: bigint('version', { mode: 'number' }).notNull(),
})
