// The dialects' schemas agree: the same tables, column keys and names, compatible types (each
// mapped to a category), nullability, primary keys, indexes (name and columns) and uniqueness.
// SQLite's is the reference; a new dialect's schema is one more line in SCHEMAS.
import { Column, getTableName, is, Table } from 'drizzle-orm'
import { getTableConfig as mysqlConfig } from 'drizzle-orm/mysql-core'
import { getTableConfig as pgConfig } from 'drizzle-orm/pg-core'
import { getTableConfig as sqliteConfig } from 'drizzle-orm/sqlite-core'
import { describe, expect, it } from 'vitest'
import * as mysql from '../src/store/schema.mysql'
import * as pg from '../src/store/schema.pg'
import * as sqlite from '../src/store/schema.sqlite'

type Category = 'int' | 'text' | 'bool' | 'time' | 'json'

/** What every dialect's getTableConfig answers that is compared here. */
interface TableConfigLike {
  columns: Column[]
  indexes: { config: { name: string; columns: unknown[]; unique: boolean } }[]
  uniqueConstraints: { getName(): string | undefined; columns: Column[] }[]
  primaryKeys: { columns: Column[] }[]
}

interface Schema {
  name: string
  tables: Table[]
  config: (table: Table) => TableConfigLike
}

// Loose: each dialect's getTableConfig takes only its own table type.
const schema = (name: string, module: object, config: (table: any) => unknown): Schema => ({
  name,
  tables: (Object.values(module) as unknown[]).filter((t): t is Table => is(t, Table)),
  config: config as Schema['config'],
})

const SCHEMAS: Schema[] = [
  schema('sqlite', sqlite, sqliteConfig),
  schema('pg', pg, pgConfig),
  schema('mysql', mysql, mysqlConfig),
]

/** Tables only SQLite has: pending_repairs marks repairs of data only SQLite could hold. */
const SQLITE_ONLY = ['pending_repairs']

// drizzle's column classes by what they hold; JSON first (SQLite's is SQLiteTextJson).
const CATEGORIES: [RegExp, Category][] = [
  [/Json/, 'json'],
  [/Timestamp|DateTime/, 'time'],
  [/Bool/, 'bool'],
  [/Int|Serial/, 'int'],
  [/Text|Char/, 'text'],
]

const categoryOf = (column: Column): Category | `unmapped ${string}` =>
  CATEGORIES.find(([re]) => re.test(column.columnType))?.[1] ?? `unmapped ${column.columnType}`

/**
 * A time column that holds milliseconds: SQLite's timestamp_ms, or a fraction of 3+ digits
 * (PostgreSQL's precision, MySQL's fsp).
 */
const keepsMs = (column: Column): boolean => {
  const c = column as Column & { mode?: string; precision?: number; fsp?: number }
  return c.mode === 'timestamp_ms' || Math.max(c.precision ?? 0, c.fsp ?? 0) >= 3
}

// PostgreSQL's index columns are its own objects (with an operator class), named like columns.
const names = (columns: unknown[]) =>
  columns.map((c) => (c as { name?: string }).name ?? 'expression')

/** One schema as plain data, in an order that does not depend on declaration order. */
const describeSchema = (s: Schema) =>
  Object.fromEntries(
    s.tables
      .map((table) => {
        const config = s.config(table)
        const columns = Object.fromEntries(
          Object.entries(table)
            .filter(([, c]) => is(c, Column))
            .map(([key, c]: [string, Column]) => [
              key,
              { name: c.name, type: categoryOf(c), notNull: c.notNull, primary: c.primary },
            ]),
        )
        const unique = [
          ...config.columns.filter((c) => c.isUnique).map((c) => [c.name]),
          ...config.uniqueConstraints.map((u) => names(u.columns)),
          ...config.indexes.filter((i) => i.config.unique).map((i) => names(i.config.columns)),
        ].map((cols) => cols.join(','))
        const indexes = config.indexes.map(
          (i) => `${i.config.unique ? 'unique ' : ''}${i.config.name}(${names(i.config.columns)})`,
        )
        const primaryKeys = config.primaryKeys.map((p) => names(p.columns).join(','))
        return [
          getTableName(table),
          {
            columns,
            unique: unique.sort(),
            indexes: indexes.sort(),
            primaryKeys: primaryKeys.sort(),
          },
        ] as const
      })
      .sort(([a], [b]) => a.localeCompare(b)),
  )

/**
 * SQLite's indexes that stand in for another one elsewhere: its log index on key-hash buckets
 * (src/store/log-key-bucket.ts) serves what a whole-hash index serves on PostgreSQL and MySQL,
 * whose servers, not the gateway's CPU, pay for that index's writes.
 */
const SQLITE_INSTEAD: Record<string, string> = {
  'idx_request_logs_key_bucket(expression,timestamp,key_hash)':
    'idx_request_logs_key_hash(key_hash)',
}

const [reference, ...others] = SCHEMAS
const expected = Object.fromEntries(
  Object.entries(describeSchema(reference))
    .filter(([name]) => !SQLITE_ONLY.includes(name))
    .map(([name, t]) => [
      name,
      { ...t, indexes: t.indexes.map((i) => SQLITE_INSTEAD[i] ?? i).sort() },
    ]),
)

describe('the dialects’ schemas', () => {
  it('are read in full: every table, column, index and uniqueness the Store relies on', () => {
    expect(Object.keys(expected)).toHaveLength(11)
    expect(expected.api_keys.indexes).toContain(
      'unique idx_api_keys_group_key_hash(group_id,key_hash)',
    )
    expect(expected.groups.unique).toEqual(['name'])
    expect(describeSchema(reference).request_logs.indexes).toEqual([
      'idx_request_logs_key_bucket(expression,timestamp,key_hash)',
      'idx_request_logs_timestamp(timestamp)',
    ])
    expect(expected.request_logs.columns.duration_ms).toEqual({
      name: 'duration',
      type: 'int',
      notNull: true,
      primary: false,
    })
  })

  for (const s of SCHEMAS) {
    it(`${s.name}: maps every column to a category, and every time column keeps milliseconds`, () => {
      const columns = s.tables.flatMap((t) => Object.values(s.config(t).columns))
      expect(columns.map(categoryOf).filter((c) => c.startsWith('unmapped'))).toEqual([])
      const times = columns.filter((c) => categoryOf(c) === 'time')
      expect(times.length).toBeGreaterThan(0)
      expect(times.filter((c) => !keepsMs(c)).map((c) => c.name)).toEqual([])
    })
  }

  for (const s of others) {
    it(`${s.name} agrees with ${reference.name}`, () => {
      expect(describeSchema(s)).toEqual(expected)
    })
  }
})
