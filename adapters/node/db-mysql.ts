// Node's MySQL / MariaDB: a mysql2 pool from DATABASE_DSN's MySQL target (URL or GPT-Load's Go
// form), migrations/mysql applied with drizzle's migrator under a named lock (nodes that start
// together migrate one at a time), and the Store over it with MySQL's Dialect. Transactions that
// InnoDB rolls back to break a deadlock are run again (retry-transactions.ts).
import { drizzle, type MySql2Database } from 'drizzle-orm/mysql2'
import { createPool, type Pool, type PoolOptions } from 'mysql2/promise'
import { createSqlCoordination } from '../../src/coord/sql'
import type { Coordination } from '../../src/coord/types'
import { mysqlDialect } from '../../src/store/dialect-mysql'
import * as schema from '../../src/store/schema.mysql'
import { createSqlStore, type SqlDb } from '../../src/store/sql'
import type { Store } from '../../src/store/types'
import type { Logger } from '../../src/logger'
import type { DbTarget } from './dsn'
import { applyMigrations, folderMigrations, timesOf, type MigrationMeta } from './migrations'
import { causedBy, retryTransactions, type RetryPolicy } from './retry-transactions'
import { gateSchema, type SchemaGateOptions } from './schema-gate'
import { closeOnce } from './close-once'

export type MysqlTarget = Extract<DbTarget, { kind: 'mysql' }>

export interface MysqlHandle {
  db: MySql2Database<typeof schema>
  /** The same database as the drizzle Store and coordination take it (see Dialect.t). */
  sqlDb: SqlDb
  store: Store
  /** Leases and flags on the same pool, in MySQL's dialect. */
  coord: Coordination
  close: () => Promise<void>
}

/** Connections per process: the log writer, key health and admin reads each hold one at a time. */
const POOL_SIZE = 16

/** Go's duration (`10s`, `500ms`, `1m`) in ms, for the DSN's `timeout`; null when not one. */
const goDurationMs = (s: string | undefined): number | null => {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(s ?? '')
  if (!m) return null
  return Math.round(Number(m[1]) * { ms: 1, s: 1000, m: 60_000 }[m[2] as 'ms' | 's' | 'm'])
}

/**
 * mysql2's options for a target. Of the Go driver's parameters, `timeout` becomes the connect
 * timeout; `charset` and `collation` are always utf8mb4 in the tables' collation (the tables
 * store utf8mb4, and a connection in another collation could not compare strings with them);
 * `parseTime` and `loc` only shape Go's time values: here times are UTC, as drizzle writes them.
 */
export const toPoolOptions = (t: MysqlTarget): PoolOptions => ({
  host: t.host,
  port: t.port,
  user: t.user,
  password: t.password,
  database: t.database,
  charset: 'UTF8MB4_UNICODE_CI',
  timezone: 'Z',
  supportBigNumbers: true,
  // The dialect's row counts want MySQL's own default: a row updated to what it held counts 0.
  flags: ['-FOUND_ROWS'],
  connectionLimit: POOL_SIZE,
  connectTimeout: goDurationMs(t.params.timeout) ?? 10_000,
  enableKeepAlive: true,
})

// GET_LOCK names are server-wide; the database's name keeps two gateways' databases apart.
const MIGRATION_LOCK_WAIT_S = 120

const migrateLocked = async (pool: Pool, database: string, list: MigrationMeta[]) => {
  const conn = await pool.getConnection()
  const lock = `edgeload-migrate:${database}`.slice(0, 64)
  try {
    const [rows] = await conn.query('select get_lock(?, ?) as ok', [lock, MIGRATION_LOCK_WAIT_S])
    if ((rows as { ok: number | null }[])[0]?.ok !== 1) {
      throw new Error(`MySQL: another node held the migration lock for ${MIGRATION_LOCK_WAIT_S} s`)
    }
    try {
      await applyMigrations(drizzle(conn, { schema, mode: 'default' }), list)
    } finally {
      await conn.query('select release_lock(?)', [lock])
    }
  } finally {
    conn.release()
  }
}

// ER_LOCK_DEADLOCK: InnoDB rolled the whole transaction back. 20 parallel flushes over 200 keys in
// random orders, on three pools, met ~75 deadlocks in 100 batches: 8 tries with pauses under 80 ms
// still lost ~10, 12 with pauses growing to 1 s lost none.
const DEADLOCKS: RetryPolicy = {
  retryable: (err) => causedBy(err, (e) => e.errno === 1213),
  attempts: 12,
  pauseMs: (n) => Math.random() * Math.min(1000, 5 * 2 ** n),
}

/** The applied migrations' journal times; [] before drizzle created its table. */
const appliedMysql = async (pool: Pool): Promise<number[]> => {
  const [tables] = await pool.query(
    "select 1 from information_schema.tables where table_schema = database() and table_name = '__drizzle_migrations'",
  )
  if ((tables as unknown[]).length === 0) return []
  const [rows] = await pool.query('select created_at from __drizzle_migrations')
  return (rows as { created_at: number | string }[]).map((r) => Number(r.created_at))
}

export const openMysql = async (
  target: MysqlTarget,
  /** Who may migrate (schema-gate.ts); GET_LOCK already serialises masters. */
  gate: Omit<SchemaGateOptions, 'log' | 'lock'> & { log?: Logger } = { mayMigrate: true },
  /** migrations/mysql as drizzle's list; read from the folder when absent (the Bun binary embeds it). */
  list: MigrationMeta[] = folderMigrations('mysql'),
): Promise<MysqlHandle> => {
  const pool = createPool(toPoolOptions(target))
  const close = closeOnce(() => pool.end())
  try {
    const { log = () => {}, ...rest } = gate
    await gateSchema(
      {
        applied: () => appliedMysql(pool),
        migrate: () => migrateLocked(pool, target.database, list),
      },
      timesOf(list),
      { ...rest, log },
    )
    const db = retryTransactions(drizzle(pool, { schema, mode: 'default' }), DEADLOCKS)
    // The Store is typed over SQLite's schema; the dialect hands it MySQL's tables.
    const sqlDb = db as unknown as SqlDb
    const store = createSqlStore(sqlDb, { close, dialect: mysqlDialect })
    return { db, sqlDb, store, coord: createSqlCoordination(sqlDb, Date.now, mysqlDialect), close }
  } catch (err) {
    await close()
    throw err
  }
}
