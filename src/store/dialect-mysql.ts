// MySQL's Dialect, written for MariaDB 10.6+ (JSON_TABLE) and MySQL 8.0: drizzle's mysql2 driver,
// schema.mysql.ts, and ON DUPLICATE KEY UPDATE where the others have ON CONFLICT. Its row counts
// assume connections without the FOUND_ROWS flag, as adapters/node/db-mysql.ts opens them (and as
// MySQL's own clients and Go's driver do): a duplicate left as it was then counts 0.
import { getTableColumns, is, SQL, sql, type Column } from 'drizzle-orm'
import type { ConflictInsert, Dialect, Tables, Upsert } from './dialect'
import { latestPerKeyMysql } from './dialect-mysql-latest'
import * as schema from './schema.mysql'

/**
 * The collation of every table (migrations/mysql/0001) and of every string the dialect makes:
 * MySQL refuses to compare two implicit collations, so JSON_TABLE columns are declared in it.
 */
export const MYSQL_COLLATION = 'utf8mb4_unicode_ci'

/** The parts of drizzle's MySQL insert builder that the dialect reaches. */
interface MySqlInsert {
  config: { table: Parameters<typeof getTableColumns>[0] }
  onDuplicateKeyUpdate(config: { set: Record<string, unknown> }): unknown
}

/** The part of drizzle's MySQL update builder that `updateFrom` reaches. */
interface MySqlUpdate {
  config: { table: SQL; set: Record<string, unknown>; where?: SQL }
  dialect: { buildUpdateSet(table: unknown, set: Record<string, unknown>): SQL }
  getSQL(): SQL
}

/** mysql2's run result: drizzle hands over `[ResultSetHeader, fields]`. */
interface ResultHeader {
  affectedRows?: number
  /** `Rows matched: 1  Changed: 0  Warnings: 0` after an UPDATE. */
  info?: string
}

// JSON_TABLE needs a type per column: times travel as epoch ms, strings in the tables' collation.
const cellType = (column: Column): string => {
  if (column.columnType === 'MySqlDateTime') return 'bigint'
  if (column.columnType === 'MySqlBoolean') return 'boolean'
  if (column.dataType === 'number') return 'bigint'
  return `longtext collate ${MYSQL_COLLATION}`
}

const cellValue = (ref: SQL, column: Column): SQL =>
  column.columnType === 'MySqlDateTime'
    ? // Arithmetic on a DATETIME literal: FROM_UNIXTIME would apply the session's time zone.
      sql`timestampadd(microsecond, ${ref} * 1000, timestamp'1970-01-01 00:00:00')`
    : ref

/** Escapes LIKE wildcards with `!`, which means the same whatever NO_BACKSLASH_ESCAPES says. */
const likeContains = (value: string): string => `%${value.replace(/[!%_]/g, '!$&')}%`

export const mysqlDialect: Dialect = {
  // Same tables and column keys as SQLite's; the Store is typed over those.
  t: schema as unknown as Tables,

  /**
   * JSON_TABLE (MariaDB 10.6+, MySQL 8.0.4+) wants each column declared with a path and a type,
   * and the caller asks for cells after it took `from`: the declarations are appended to `from`
   * as cells are asked for, all before the statement is built.
   */
  jsonRows: (json) => {
    const columns = sql.empty()
    const declared = new Set<number>()
    return {
      from: sql`json_table(${json}, '$[*]' columns (${columns})) as j`,
      cell(i, column) {
        if (!declared.has(i)) {
          const sep = declared.size > 0 ? ', ' : ''
          declared.add(i)
          columns.append(sql.raw(`${sep}c${i} ${cellType(column)} path '$[${i}]'`))
        }
        return cellValue(sql.raw(`j.c${i}`), column)
      },
    }
  },

  // NULL into an AUTO_INCREMENT column takes the next value.
  generatedId: () => sql`null`,

  /**
   * A duplicate row sets its first column to itself, which changes nothing and counts 0 (MySQL
   * cannot name the unique key: any one conflicts). Not INSERT IGNORE, which also lets a NOT NULL
   * or length violation through as a mere warning.
   */
  insertIgnore: <Q extends ConflictInsert>(insert: Q) => {
    const builder = insert as unknown as MySqlInsert
    const [[key, column]] = Object.entries(getTableColumns(builder.config.table))
    return builder.onDuplicateKeyUpdate({ set: { [key]: sql`${column}` } }) as Q
  },

  /**
   * ON DUPLICATE KEY UPDATE names no target: any unique key conflicts. MySQL has no conditional
   * upsert, so a `where` becomes IF(where, new, old) per column. MySQL assigns left to right and
   * each IF sees the columns assigned before it, so `where` must read the same after those
   * assignments (true of the lease takeover in src/coord/sql.ts: owner, then until). Where it
   * does not hold, the row stays as it was and the statement counts 0; so does an update to the
   * values the row has already (a holder taking its lease again within the same millisecond).
   */
  upsert: <Q extends ConflictInsert>(insert: Q, { set, where }: Upsert) => {
    const builder = insert as unknown as MySqlInsert
    if (!where) return builder.onDuplicateKeyUpdate({ set }) as Q
    const columns = getTableColumns(builder.config.table) as Record<string, Column>
    const keys = Object.keys(columns).filter((k) => set[k] !== undefined)
    const guarded = Object.fromEntries(
      keys.map((k) => {
        const column = columns[k]
        const value = is(set[k], SQL) ? (set[k] as SQL) : sql.param(set[k], column)
        return [k, sql`if(${where}, ${value}, ${column})`]
      }),
    )
    return builder.onDuplicateKeyUpdate({ set: guarded }) as Q
  },

  // VALUES(col) is MariaDB's spelling; MySQL 8.0.20+ deprecates it but still accepts it.
  proposed: (column) => sql`values(${sql.identifier(column.name)})`,

  /**
   * An UPDATE counts the rows it matched, as SQLite's changes do (affectedRows would count only
   * those whose values changed). Otherwise affectedRows: rows inserted or deleted, and 2 per row
   * an upsert updated (MySQL's convention; the Store asks an upsert only whether it wrote).
   */
  changes: (result) => {
    const r = (Array.isArray(result) ? result[0] : result) as ResultHeader | undefined
    const matched = /Rows matched: (\d+)/.exec(r?.info ?? '')
    return Number(matched ? matched[1] : (r?.affectedRows ?? 0))
  },

  // drizzle's DrizzleQueryError wraps mysql2's error as its cause.
  isUniqueViolation: (err) => {
    for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
      const { errno, code } = e as { errno?: number; code?: string }
      if (errno === 1062 || code === 'ER_DUP_ENTRY') return true
    }
    return false
  },

  contains: (column, value) => sql`${column} like ${likeContains(value)} escape '!'`,

  // MySQL documents NULLs as the smallest values: DESC puts them last
  // (https://dev.mysql.com/doc/refman/8.0/en/working-with-null.html, MariaDB alike). Spelt
  // `col is null, col desc`, the sort could no longer walk idx_api_keys_group_last_used_id.
  descNullsLast: (column) => sql`${column} desc`,

  bool: (value) => sql.raw(value ? 'true' : 'false'),

  // GREATEST is NULL when any argument is.
  greatest: (column, value) => sql`coalesce(greatest(${column}, ${value}), ${value})`,

  // A derived table of UNION ALL selects: MariaDB's VALUES table constructor and MySQL 8's
  // VALUES ROW(…) differ, and neither names its columns alike.
  updateFrom: <Q extends ConflictInsert>(update: Q, from: SQL) => {
    const u = update as unknown as MySqlUpdate
    u.getSQL = () => {
      const { table, set, where } = u.config
      const setSql = u.dialect.buildUpdateSet(table, set)
      return sql`update ${table}, ${from} set ${setSql}${where ? sql` where ${where}` : sql``}`
    }
    return update
  },

  latestPerKey: latestPerKeyMysql,
}
