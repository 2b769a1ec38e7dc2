// Shared plumbing for the drizzle Store: the database type, atomic multi-statement runs that work
// on D1 (no interactive transactions) as well as libsql, and chunking under D1's parameter limit.
import { sql, type SQL } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core'
import { wellFormed } from '../text'
import type * as schema from './schema.sqlite'

/**
 * Any drizzle SQLite database: drizzle/libsql on Node and drizzle/d1 on Workers are async; the
 * synchronous drivers (better-sqlite3, bun:sqlite) work too. Other dialects' databases are passed
 * in under this type (adapters/node/db-pg.ts): the Store calls only builders they share.
 */
// The run-result type differs per driver (libsql ResultSet, D1Result, RunResult), hence `any`.
export type SqlDb = BaseSQLiteDatabase<'sync' | 'async', any, typeof schema>

/**
 * A built statement: batchable, awaitable for the transaction fallback, and preparable for the
 * synchronous drivers (so never `db.run(sql)`, which a synchronous driver runs at once).
 */
export type Stmt = BatchItem<'sqlite'> & PromiseLike<unknown> & { prepare(): unknown }

/** D1 allows at most 100 bound parameters per statement. */
export const MAX_PARAMS = 100

/** Statements per db.batch call: each batch is one transaction (and one round trip on D1). */
export const MAX_BATCH = 200

type BatchFn = (queries: readonly BatchItem<'sqlite'>[]) => Promise<unknown[]>

/** A prepared query of a synchronous driver: `execute()` can then be run to its end at once. */
interface SyncPrepared {
  execute(): { sync(): unknown }
}

// drizzle's BaseSQLiteDatabase keeps its kind ('sync' | 'async') in a field its types hide.
const isSync = (db: SqlDb): boolean =>
  (db as unknown as { resultKind?: string }).resultKind === 'sync'

/**
 * Runs one statement synchronously. The prepared query executes as awaiting the statement would
 * (rows for a select or RETURNING, else the driver's run result), and a failure throws here.
 */
const runSync = (stmt: Stmt): unknown => (stmt.prepare() as SyncPrepared).execute().sync()

/**
 * Runs the statements that `build` makes as one atomic unit and returns their results in order.
 * Uses `db.batch` where the driver has it (D1 and libsql both run a batch in one transaction;
 * D1 has no interactive transactions); otherwise builds them on a transaction, one by one. A
 * synchronous driver's transaction commits when its callback returns, so an async callback
 * would commit before its awaited statements ran: there they run synchronously inside it.
 */
export const runBatch = async (db: SqlDb, build: (q: SqlDb) => Stmt[]): Promise<unknown[]> => {
  if ('batch' in db && typeof db.batch === 'function') {
    const stmts = build(db)
    return stmts.length === 0 ? [] : (db.batch as BatchFn).call(db, stmts)
  }
  if (isSync(db)) return db.transaction((tx) => build(tx).map(runSync)) as unknown[]
  return db.transaction(async (tx) => {
    const out: unknown[] = []
    for (const stmt of build(tx)) out.push(await stmt)
    return out
  })
}

/** Like runBatch, but for more statements than one batch should hold: atomic per slice only. */
export const runBatches = async (db: SqlDb, build: (q: SqlDb) => Stmt[]): Promise<unknown[]> => {
  if (!('batch' in db)) return runBatch(db, build)
  const all = build(db)
  const out: unknown[] = []
  for (let i = 0; i < all.length; i += MAX_BATCH) {
    out.push(...(await runBatch(db, () => all.slice(i, i + MAX_BATCH))))
  }
  return out
}

/** The results of the selects in a batch of (select, write) pairs. */
export const evens = (results: unknown[]): unknown[] => results.filter((_, i) => i % 2 === 0)

export const chunk = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/**
 * An integer inlined into the SQL instead of bound, to keep bulk inserts under MAX_PARAMS.
 * Only ever used for numbers we produce (ids, clock readings), never for client strings.
 */
export const lit = (n: number): SQL => {
  if (!Number.isSafeInteger(n)) throw new TypeError(`not an integer: ${n}`)
  return sql.raw(String(n))
}

// JSON.stringify writes a lone surrogate as `\ud83d`, and json_each turns that escape into bytes
// that are not UTF-8 (a directly bound string gets U+FFFD from the driver instead).
const LONE_SURROGATE_ESCAPE = /\\ud[89a-f]/
const wellFormedStrings = (_key: string, v: unknown) => (typeof v === 'string' ? wellFormed(v) : v)

/** Rows (or one row) as JSON whose strings are all well-formed, so json_each stores valid UTF-8. */
const rowJson = (row: unknown[]): string => {
  const json = JSON.stringify(row)
  // The escape can also be a false alarm (the text `\ud83d` itself): the replacer costs only then.
  return LONE_SURROGATE_ESCAPE.test(json) ? JSON.stringify(row, wellFormedStrings) : json
}

/**
 * JSON rows packed into `[row, …]` arrays of at most `maxChars` each: bulk inserts bind one such
 * parameter and unpack it with the dialect's jsonRows, which keeps drizzle's builder and D1's
 * 100-parameter limit out of the way.
 */
export const packJsonRows = <T>(
  items: readonly T[],
  toRow: (item: T) => unknown[],
  maxChars: number,
): string[] => {
  if (items.length === 0) return []
  const rows = items.map(toRow)
  // A batch that fits is one stringify: 500 log rows stringified one by one and joined cost
  // about 5.7 times as much CPU.
  const whole = rowJson(rows)
  if (whole.length <= maxChars) return [whole]
  const out: string[] = []
  let part: string[] = []
  let size = 0
  for (const r of rows) {
    const row = rowJson(r)
    if (size + row.length > maxChars && part.length) {
      out.push(`[${part.join(',')}]`)
      part = []
      size = 0
    }
    part.push(row)
    size += row.length + 1
  }
  if (part.length) out.push(`[${part.join(',')}]`)
  return out
}
