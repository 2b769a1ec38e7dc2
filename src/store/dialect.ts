// What differs between the SQL databases the drizzle Store (src/store/sql-*.ts) runs on. The
// sql-*.ts files write portable drizzle and take everything else from a Dialect; SQLite's is
// dialect-sqlite.ts, PostgreSQL's dialect-pg.ts, MySQL's dialect-mysql.ts.
//
// A new dialect (PostgreSQL, MySQL) provides this object and its own schema file with the same
// tables and column keys, handed to the Store as `t`. It must provide: unpacking one JSON parameter of rows (bulk inserts),
// the generated id of an INSERT … SELECT, upserts and the upsert's proposed value, affected-row
// counts from its driver's run result (the Store never uses RETURNING, which MySQL lacks: a write
// that answers with rows reads them in the same batch), unique-violation detection, a plain-text LIKE, descending
// order with NULLs last, boolean literals, the larger of two values, a VALUES table to update
// from, and the log export's one-row-per-key read. Still SQLite-only: the UTF-8 repair in
// sql-repair.ts, which mends data only SQLite could have stored, and the log index on key-hash
// buckets (log-key-bucket.ts), which only the embedded database's own CPU pays for.
import type { Column, SQL, SQLWrapper } from 'drizzle-orm'
import type * as sqlite from './schema.sqlite'
import type { SqlDb, Stmt } from './sql-util'

/**
 * The Store's tables. Each dialect's schema has the same tables and column keys; the Store is
 * typed over SQLite's, and another dialect hands its own tables in under this type.
 * (pending_repairs stays out: only SQLite's repair in sql-repair.ts uses it.)
 */
export type Tables = Pick<
  typeof sqlite,
  | 'systemSettings'
  | 'groups'
  | 'groupSubGroups'
  | 'apiKeys'
  | 'requestLogs'
  | 'groupHourlyStats'
  | 'keyEvents'
  | 'taskState'
  | 'taskInput'
  | 'coordLeases'
  | 'coordVersions'
>

/** Rows unpacked from one JSON parameter `[[cell, …], …]` (packJsonRows writes it). */
export interface JsonRows {
  /** The FROM source over the rows. */
  from: SQL
  /** Cell `i` of the current row as a value for `column`; dates arrive as epoch ms, booleans 1/0. */
  cell(i: number, column: Column): SQL
}

/**
 * An insert builder: drizzle's SQLite and PostgreSQL builders have onConflict…, MySQL's has
 * onDuplicateKeyUpdate and ignore. Each dialect calls what its own builders have.
 */
// Loose on purpose: each builder types its conflict target with its own column type.
export type ConflictInsert = Record<string, any>

export interface Upsert {
  /** The unique key that conflicts. */
  target: Column | Column[]
  set: Record<string, unknown>
  /** Update only where this holds on the existing row; otherwise the statement writes nothing. */
  where?: SQL
}

/** The log export's read: one row per `key`, the others from that key's row of latest `latest`. */
export interface LatestPerKey<F extends Record<string, Column>> {
  fields: F
  key: Column
  latest: Column
  where?: SQL
  limit: number
}

export interface Dialect {
  /** The dialect's schema: the tables every Store query names. */
  t: Tables
  jsonRows(json: string): JsonRows
  /** The select-list value that lets the database generate `column` (an autoincrement id). */
  generatedId(column: Column): SQL
  /** Skips the rows whose unique key (`target`, or any) exists already. */
  insertIgnore<Q extends ConflictInsert>(insert: Q, target?: Column | Column[]): Q
  /** Updates the existing row instead where the unique key `upsert.target` exists. */
  upsert<Q extends ConflictInsert>(insert: Q, upsert: Upsert): Q
  /** Within an upsert's `set`: the value the insert proposed for `column`. */
  proposed(column: Column): SQL
  /** Rows a statement without RETURNING wrote or deleted, from the driver's run result. */
  changes(result: unknown): number
  /** Whether an error (or one it wraps) is a unique-constraint violation. */
  isUniqueViolation(err: unknown): boolean
  /** `column` contains `value` as plain text: its wildcards match only themselves. */
  contains(column: Column, value: string): SQL
  /** An ORDER BY term: descending, NULLs after every value. */
  descNullsLast(column: Column): SQL
  /** A boolean literal as boolean columns store it. */
  bool(value: boolean): SQL
  /** The larger of a nullable column and a value; a NULL column counts as smaller. */
  greatest(column: Column, value: SQL): SQL
  /**
   * An aggregate over a subquery's rows: one JSON array holding, per row, the array of `cells`
   * (dates as the dialect's JSON has them). Absent where a size limit could cut it short
   * (MariaDB's JSON_ARRAYAGG stops at group_concat_max_len): loadKeys then reads rows.
   */
  jsonArrayAgg?(cells: SQLWrapper[]): SQL
  /**
   * `update` (a built UPDATE … SET) made to read `from` as well. Only where the UPDATE builder has
   * no `.from()` (MySQL, whose UPDATE names its tables side by side); the others use `.from()`.
   */
  updateFrom?<Q extends ConflictInsert>(update: Q, from: SQL): Q
  /**
   * Row-locking databases only (SQLite locks the whole database and leaves it out): a statement
   * that takes the write locks of the `api_keys` rows `where` selects, in id order. A batch that
   * writes many keys starts with it, so two batches never wait on each other's rows in a cycle.
   */
  lockKeys?(q: SqlDb, where: SQL | undefined): Stmt
  /**
   * Where the log table indexes key hashes by bucket, not whole (SQLite, log-key-bucket.ts): the
   * bucket of a `key_hash` column. Lookups by hash then name the bucket, and reads ordered by hash
   * go bucket by bucket. Absent, `key_hash` has an index of its own (PostgreSQL, MySQL).
   */
  logKeyBucket?(keyHash: Column): SQL
  /**
   * Where JSON rows are unpacked in this process (SQLite): a value that every row of a batch
   * shares, bound once as a parameter instead of unpacked from each row. Absent where the database
   * server unpacks them, on its own CPU.
   */
  sharedCell?(value: string | number, column: Column): SQL
  latestPerKey<F extends Record<string, Column>>(
    db: SqlDb,
    q: LatestPerKey<F>,
  ): Promise<Record<keyof F, unknown>[]>
}
