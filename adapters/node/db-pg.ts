// Node's PostgreSQL: a node-postgres pool, migrations/pg applied under an advisory lock (nodes that
// start together migrate one at a time), and the drizzle Store over it with PostgreSQL's Dialect.
// Transactions that PostgreSQL aborts to break a deadlock are run again (retry-transactions.ts).
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import { createSqlCoordination } from '../../src/coord/sql'
import type { Coordination } from '../../src/coord/types'
import { pgDialect } from '../../src/store/dialect-pg'
import * as schema from '../../src/store/schema.pg'
import { createSqlStore, type SqlDb } from '../../src/store/sql'
import type { Store } from '../../src/store/types'
import type { Logger } from '../../src/logger'
import { applyMigrations, folderMigrations, timesOf, type MigrationMeta } from './migrations'
import { causedBy, retryTransactions, type RetryPolicy } from './retry-transactions'
import { gateSchema, type SchemaGateOptions } from './schema-gate'
import { closeOnce } from './close-once'

export interface PgHandle {
  db: NodePgDatabase<typeof schema>
  /** The same database as the drizzle Store and coordination take it (see Dialect.t). */
  sqlDb: SqlDb
  store: Store
  /** Leases and flags on the same pool, in PostgreSQL's dialect. */
  coord: Coordination
  close: () => Promise<void>
}

export interface PgOptions {
  /** Connections in the pool. */
  max?: number
  /** An idle connection failed (the server went away): the next query reconnects. */
  onIdleError?: (err: Error) => void
  /** Who may migrate (schema-gate.ts); the advisory lock already serialises masters. */
  gate?: Omit<SchemaGateOptions, 'log' | 'lock'> & { log?: Logger }
  /** migrations/pg as drizzle's list; read from the folder when absent (the Bun binary embeds it). */
  migrations?: MigrationMeta[]
}

/** The applied migrations' journal times; [] before drizzle created its table. */
const appliedPg = async (pool: pg.Pool): Promise<number[]> => {
  const r = await pool.query<{ t: string | null }>(
    `select case when to_regclass('drizzle.__drizzle_migrations') is null then null
       else 1 end as t`,
  )
  if (r.rows[0]?.t === null) return []
  const rows = await pool.query<{ created_at: string }>(
    'select created_at from drizzle.__drizzle_migrations',
  )
  return rows.rows.map((row) => Number(row.created_at))
}

// Any fixed number: the advisory lock that serialises migrations across nodes.
const MIGRATION_LOCK = 0x6564_6765

const migrateLocked = async (pool: pg.Pool, list: MigrationMeta[]) => {
  const client = await pool.connect()
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK])
    try {
      await applyMigrations(drizzle({ client, schema }), list)
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK])
    }
  } finally {
    client.release()
  }
}

// deadlock_detected and serialization_failure: the transaction did nothing and may run again.
const DEADLOCKS: RetryPolicy = {
  retryable: (err) => causedBy(err, (e) => e.code === '40P01' || e.code === '40001'),
  attempts: 8,
  pauseMs: (n) => Math.random() * 10 * n,
}

export const openPostgres = async (url: string, opts: PgOptions = {}): Promise<PgHandle> => {
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10 })
  // Without a listener, an idle client's error (a restarted server) would end the process.
  pool.on('error', (err) => opts.onIdleError?.(err))
  const close = closeOnce(() => pool.end())
  try {
    const { log = () => {}, ...gate } = opts.gate ?? { mayMigrate: true }
    const list = opts.migrations ?? folderMigrations('pg')
    await gateSchema(
      { applied: () => appliedPg(pool), migrate: () => migrateLocked(pool, list) },
      timesOf(list),
      {
        ...gate,
        log,
      },
    )
    const db = retryTransactions(drizzle({ client: pool, schema }), DEADLOCKS)
    // The Store is typed over SQLite's builders; PostgreSQL's take the same calls (dialect.ts).
    const sqlDb = db as unknown as SqlDb
    const store = createSqlStore(sqlDb, { close, dialect: pgDialect })
    return { db, sqlDb, store, coord: createSqlCoordination(sqlDb, Date.now, pgDialect), close }
  } catch (err) {
    await close()
    throw err
  }
}
