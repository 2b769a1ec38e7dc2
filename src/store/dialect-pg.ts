// PostgreSQL's Dialect (node-postgres through drizzle; adapters/node/db-pg.ts opens it). Values
// that travel as text (JSON cells, VALUES rows) are cast to their column's type, because
// PostgreSQL, unlike SQLite, will not store text in an integer or timestamptz column.
import { asc, desc, getTableName, sql, type Column, type SQL } from 'drizzle-orm'
import type { PgColumn, PgDatabase, PgQueryResultHKT, PgTable } from 'drizzle-orm/pg-core'
import type { ConflictInsert, Dialect, Tables, Upsert } from './dialect'
import type { Stmt } from './sql-util'
import { likeContains } from './dialect-sqlite'
import * as schema from './schema.pg'

/** What the Store asks of drizzle's PostgreSQL insert builder. */
interface PgConflicts {
  onConflictDoNothing(config?: { target?: Column | Column[] }): unknown
  onConflictDoUpdate(config: { target: Column | Column[]; set: object; setWhere?: SQL }): unknown
}

// Each error drizzle throws wraps the driver's as its cause; node-postgres keeps the SQLSTATE.
const UNIQUE_VIOLATION = '23505'

/** `text` (a JSON cell's value) as a value of `column`'s type. */
const fromText = (text: SQL, column: Column): SQL => {
  const type = column.getSQLType()
  if (type === 'text') return text
  // Epoch ms, exactly: integer arithmetic on an interval, no float seconds in between.
  if (type.startsWith('timestamp')) {
    return sql`(timestamptz 'epoch' + ${text}::bigint * interval '1 millisecond')`
  }
  // Booleans arrive as 1/0.
  if (type === 'boolean') return sql`(${text})::integer::boolean`
  return sql`cast(${text} as ${sql.raw(type)})`
}

// PostgreSQL text cannot hold U+0000, and ->> refuses its escape, which would fail the whole batch
// (a log row's error message or body can carry one): it becomes U+FFFD. A `\\` pair is skipped
// whole, so the text `\u0000` itself stays as it is.
const NUL_ESCAPE = /\\(\\|u0000)/g
const withoutNul = (json: string): string =>
  json.includes('\\u0000')
    ? json.replace(NUL_ESCAPE, (m, next: string) => (next === '\\' ? m : '\\ufffd'))
    : json

export const pgDialect: Dialect = {
  // The same tables and column keys as SQLite's (test/schema-agreement.test.ts).
  t: schema as unknown as Tables,

  jsonRows: (json) => ({
    from: sql`json_array_elements(${withoutNul(json)}::json) as json_rows(value)`,
    cell: (i, column) => fromText(sql.raw(`(json_rows.value ->> ${i})`), column),
  }),

  // As text, so that every driver hands over the same string to parse.
  jsonArrayAgg: (cells) =>
    sql`coalesce(json_agg(json_build_array(${sql.join(cells, sql`, `)})), '[]')::text`,

  // DEFAULT is allowed only in VALUES, not in INSERT … SELECT: take the identity's next value.
  generatedId: (column) =>
    // The table name quoted, as pg_get_serial_sequence reads it as an identifier.
    sql`nextval(pg_get_serial_sequence(${`"${getTableName(column.table)}"`}, ${column.name}))`,

  insertIgnore: <Q extends ConflictInsert>(insert: Q, target?: Column | Column[]) =>
    (insert as Q & PgConflicts).onConflictDoNothing(target ? { target } : undefined) as Q,

  upsert: <Q extends ConflictInsert>(insert: Q, { target, set, where }: Upsert) =>
    (insert as Q & PgConflicts).onConflictDoUpdate({ target, set, setWhere: where }) as Q,

  proposed: (column) => sql`excluded.${sql.identifier(column.name)}`,

  // node-postgres reports rowCount (null for statements that count nothing).
  changes: (result) => Number((result as { rowCount?: number | null })?.rowCount ?? 0),

  isUniqueViolation: (err) => {
    for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
      if ((e as { code?: unknown }).code === UNIQUE_VIOLATION) return true
    }
    return false
  },

  // ILIKE: SQLite's LIKE ignores ASCII case, and the log filters should behave the same here.
  contains: (column, value) => sql`${column} ilike ${likeContains(value)} escape '\\'`,

  descNullsLast: (column) => sql`${column} desc nulls last`,

  bool: (value) => sql.raw(value ? 'true' : 'false'),

  // greatest() skips NULLs.
  greatest: (column, value) => sql`greatest(${column}, ${value})`,

  // A VALUES list of untyped parameters would be text: each value is cast to its column's type.
  // Without it, batches that name the same keys in other orders deadlock, and PostgreSQL finds
  // that only after deadlock_timeout (1 s) to abort one of them.
  lockKeys: (q, where) =>
    (q as unknown as PgDatabase<PgQueryResultHKT>)
      .select({ id: schema.apiKeys.id })
      .from(schema.apiKeys)
      .where(where)
      .orderBy(schema.apiKeys.id)
      .for('update') as unknown as Stmt,

  /** DISTINCT ON keeps the first row per key in the ORDER BY: the one with the latest `latest`. */
  async latestPerKey(db, { fields, key, latest, where, limit }) {
    const pg = db as unknown as PgDatabase<PgQueryResultHKT>
    const k = key as unknown as PgColumn
    const rows = await pg
      .selectDistinctOn([k], fields as unknown as Record<string, PgColumn>)
      .from(k.table as PgTable)
      .where(where)
      .orderBy(asc(k), desc(latest))
      .limit(limit)
    return rows as never
  },
}
