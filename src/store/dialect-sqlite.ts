// SQLite's Dialect (libsql, D1 and the synchronous drivers alike).
import { asc, sql, type Column, type SQL } from 'drizzle-orm'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'
import type { ConflictInsert, Dialect, Upsert } from './dialect'
import { logKeyBucket } from './log-key-bucket'
import {
  apiKeys,
  coordLeases,
  coordVersions,
  groupHourlyStats,
  groups,
  groupSubGroups,
  keyEvents,
  requestLogs,
  systemSettings,
  taskInput,
  taskState,
} from './schema.sqlite'

/** Escapes LIKE wildcards so a search for `a_b` matches only that text. */
export const likeContains = (value: string): string => `%${value.replace(/[\\%_]/g, '\\$&')}%`

/** What the Store asks of drizzle's SQLite insert builder. */
interface SQLiteConflicts {
  onConflictDoNothing(config?: { target?: Column | Column[] }): unknown
  onConflictDoUpdate(config: { target: Column | Column[]; set: object; setWhere?: SQL }): unknown
}

export const sqliteDialect: Dialect = {
  t: {
    systemSettings,
    groups,
    groupSubGroups,
    apiKeys,
    requestLogs,
    groupHourlyStats,
    keyEvents,
    taskState,
    taskInput,
    coordLeases,
    coordVersions,
  },

  jsonRows: (json) => ({
    // Each row turned into JSONB once: `->>` on a row's JSON text parses it again for every
    // cell (a 14-cell log row: 10.5 µs to insert, 7.9 this way). An OFFSET keeps SQLite from
    // flattening the subquery, which would put a jsonb() in every cell instead.
    from: sql`(select jsonb(value) as value from json_each(${json}) limit -1 offset 0)`,
    // SQLite stores what ->> yields as is: the column's own affinity converts it.
    cell: (i) => sql.raw(`value ->> ${i}`),
  }),

  // As with cells, the column's affinity converts the bound value.
  sharedCell: (value) => sql`${value}`,

  jsonArrayAgg: (cells) => sql`json_group_array(json_array(${sql.join(cells, sql`, `)}))`,

  // NULL into an INTEGER PRIMARY KEY takes the next rowid.
  generatedId: () => sql`null`,

  insertIgnore: <Q extends ConflictInsert>(insert: Q, target?: Column | Column[]) =>
    (insert as Q & SQLiteConflicts).onConflictDoNothing(target ? { target } : undefined) as Q,

  upsert: <Q extends ConflictInsert>(insert: Q, { target, set, where }: Upsert) =>
    (insert as Q & SQLiteConflicts).onConflictDoUpdate({ target, set, setWhere: where }) as Q,

  proposed: (column) => sql`excluded.${sql.identifier(column.name)}`,

  // libsql, D1 and the synchronous drivers each report it under their own name.
  changes: (result) => {
    const r = result as { rowsAffected?: number; changes?: number; meta?: { changes?: number } }
    return Number(r?.rowsAffected ?? r?.meta?.changes ?? r?.changes ?? 0)
  },

  // drizzle's DrizzleQueryError wraps the driver's error as its cause.
  isUniqueViolation: (err) => {
    for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
      if (/UNIQUE constraint failed|SQLITE_CONSTRAINT_UNIQUE/i.test(String((e as Error).message))) {
        return true
      }
    }
    return false
  },

  logKeyBucket,
  contains: (column, value) => sql`${column} like ${likeContains(value)} escape '\\'`,

  // SQLite sorts NULL lowest, so DESC already puts NULLs last; spelt out all the same.
  descNullsLast: (column) => sql`${column} desc nulls last`,

  // Booleans are stored as integers.
  bool: (value) => sql.raw(value ? '1' : '0'),

  // Scalar max() with two arguments is NULL when either is, hence the coalesce (values here are
  // counts and epoch ms, never below 0).
  greatest: (column, value) => sql`max(coalesce(${column}, 0), ${value})`,

  // SQLite names a VALUES table's columns column1, column2, …
  /**
   * GROUP BY the key walks its index in order, and `key > after` in `where` seeks past the
   * previous page. The bare columns come from the row holding max(latest): SQLite documents that
   * for a lone max() aggregate (https://sqlite.org/lang_select.html#bareagg).
   */
  async latestPerKey(db, { fields, key, latest, where, limit }) {
    // The schema's columns are SQLite columns; the Dialect speaks of drizzle's base Column.
    const k = key as unknown as SQLiteColumn
    const rows = await db
      .select({
        ...(fields as unknown as Record<string, SQLiteColumn>),
        __latest: sql`max(${latest})`,
      })
      .from(k.table)
      .where(where)
      .groupBy(k)
      .orderBy(asc(k))
      .limit(limit)
    return rows.map(({ __latest: _latest, ...r }) => r) as never
  },
}
