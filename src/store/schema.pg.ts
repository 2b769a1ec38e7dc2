// PostgreSQL schema for the Store: the same tables, column keys, indexes and uniqueness as
// schema.sqlite.ts (test/schema-agreement.test.ts checks it). Times are timestamptz(3), which keeps
// the milliseconds the Store writes and hands drizzle Dates, as SQLite's timestamp_ms columns do;
// JSON is jsonb; ids are identity columns, which never reuse a value (like SQLite's AUTOINCREMENT).
// pending_repairs is SQLite's alone: nothing PostgreSQL stores needs its repairs.
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core'
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

const id = () => integer('id').primaryKey().generatedByDefaultAsIdentity()
const time = <N extends string>(name: N) =>
  timestamp(name, { precision: 3, withTimezone: true, mode: 'date' })
const createdAt = () =>
  time('created_at')
    .notNull()
    .$defaultFn(() => new Date())
const updatedAt = () =>
  time('updated_at')
    .notNull()
    .$defaultFn(() => new Date())

export const systemSettings = pgTable('system_settings', {
  id: id(),
  setting_key: text('setting_key').notNull().unique(),
  setting_value: text('setting_value').notNull(),
  description: text('description').notNull().default(''),
  created_at: createdAt(),
  updated_at: updatedAt(),
})

export const groups = pgTable('groups', {
  id: id(),
  name: text('name').notNull().unique(),
  display_name: text('display_name').notNull().default(''),
  description: text('description').notNull().default(''),
  group_type: text('group_type').$type<GroupType>().notNull().default('standard'),
  upstreams: jsonb('upstreams').$type<Upstream[]>().notNull().default([]),
  channel_type: text('channel_type').notNull(),
  sort: integer('sort').notNull().default(0),
  test_model: text('test_model').notNull(),
  validation_endpoint: text('validation_endpoint').notNull().default(''),
  param_overrides: jsonb('param_overrides').$type<Record<string, unknown>>().notNull().default({}),
  model_redirect_rules: jsonb('model_redirect_rules')
    .$type<Record<string, string>>()
    .notNull()
    .default({}),
  model_redirect_strict: boolean('model_redirect_strict').notNull().default(false),
  config: jsonb('config').$type<Record<string, unknown>>().notNull().default({}),
  header_rules: jsonb('header_rules').$type<HeaderRule[]>().notNull().default([]),
  failover_rules: jsonb('failover_rules').$type<FailoverRule[]>().notNull().default([]),
  proxy_keys: text('proxy_keys').notNull().default(''),
  enabled: boolean('enabled').notNull().default(true),
  last_validated_at: time('last_validated_at'),
  created_at: createdAt(),
  updated_at: updatedAt(),
})

export const groupSubGroups = pgTable(
  'group_sub_groups',
  {
    id: id(),
    group_id: integer('group_id').notNull(),
    sub_group_id: integer('sub_group_id').notNull(),
    weight: integer('weight').notNull().default(0),
    priority: integer('priority').notNull().default(0),
    created_at: createdAt(),
    updated_at: updatedAt(),
  },
  (t) => [
    uniqueIndex('idx_group_sub').on(t.group_id, t.sub_group_id),
    index('idx_group_sub_groups_sub_group_id').on(t.sub_group_id),
  ],
)

export const apiKeys = pgTable(
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
    enabled: boolean('enabled').notNull().default(true),
    last_used_at: time('last_used_at'),
    created_at: createdAt(),
    updated_at: updatedAt(),
  },
  // The same indexes as SQLite's, for the same queries (see schema.sqlite.ts).
  (t) => [
    uniqueIndex('idx_api_keys_group_key_hash').on(t.group_id, t.key_hash),
    index('idx_api_keys_group_id').on(t.group_id),
    index('idx_api_keys_group_status_id').on(t.group_id, t.status, t.id),
    index('idx_api_keys_group_last_used_id').on(t.group_id, t.last_used_at, t.id),
  ],
)

export const requestLogs = pgTable(
  'request_logs',
  {
    id: text('id').primaryKey(),
    timestamp: time('timestamp').notNull(),
    group_id: integer('group_id').notNull(),
    group_name: text('group_name').notNull().default(''),
    parent_group_id: integer('parent_group_id').notNull().default(0),
    parent_group_name: text('parent_group_name').notNull().default(''),
    key_hash: text('key_hash').notNull().default(''),
    key_masked: text('key_masked').notNull().default(''),
    model: text('model').notNull().default(''),
    is_success: boolean('is_success').notNull(),
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
    is_stream: boolean('is_stream').notNull().default(false),
    request_body: text('request_body').notNull().default(''),
  },
  (t) => [
    index('idx_request_logs_timestamp').on(t.timestamp),
    index('idx_request_logs_key_hash').on(t.key_hash),
  ],
)

export const groupHourlyStats = pgTable(
  'group_hourly_stats',
  {
    id: id(),
    time: time('time').notNull(),
    group_id: integer('group_id').notNull(),
    success_count: integer('success_count').notNull().default(0),
    failure_count: integer('failure_count').notNull().default(0),
    created_at: createdAt(),
    updated_at: updatedAt(),
  },
  (t) => [uniqueIndex('idx_group_time').on(t.time, t.group_id)],
)

export const keyEvents = pgTable(
  'key_events',
  {
    id: id(),
    key_id: integer('key_id').notNull(),
    group_id: integer('group_id').notNull(),
    time: time('time').notNull(),
    from_state: text('from_state').$type<KeyEventState>(),
    to_state: text('to_state').$type<KeyEventState>().notNull(),
    status_code: integer('status_code').notNull().default(0),
    message: text('message').notNull().default(''),
  },
  (t) => [index('idx_key_events_key_id').on(t.key_id, t.id)],
)

export const taskState = pgTable('task_state', {
  id: integer('id').primaryKey(),
  owner: text('owner').notNull().default(''),
  status: jsonb('status').$type<TaskStatus>(),
  job: jsonb('job').$type<TaskJob>(),
})

export const taskInput = pgTable('task_input', {
  seq: integer('seq').primaryKey(),
  keys: text('keys').notNull(),
})

// Epoch ms: past 2^31, hence bigint (as numbers, which hold epoch ms exactly).
export const coordLeases = pgTable('coord_leases', {
  name: text('name').primaryKey(),
  owner: text('owner').notNull(),
  until: bigint('until', { mode: 'number' }).notNull(),
})

export const coordVersions = pgTable('coord_versions', {
  name: text('name').primaryKey(),
  version: integer('version').notNull(),
})
