// Node's SQLite: opens a libsql file (or `:memory:`), tunes it, applies migrations/sqlite and
// returns the drizzle database with the Store over it.
import { resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { Client } from '@libsql/client'
// The local-file client alone: the package's index also loads the remote ones (WebSocket, HTTP).
import { createClient } from '@libsql/client/sqlite3'
import type { LibSQLDatabase } from 'drizzle-orm/libsql'
import { drizzle } from 'drizzle-orm/libsql/sqlite3'
import { migrate } from 'drizzle-orm/libsql/migrator'
import * as schema from '../../src/store/schema.sqlite'
import { createSqlStore, type SqlDb } from '../../src/store/sql'
import { runPendingRepairs, type RepairReport } from '../../src/store/sql-repair'
import type { Store } from '../../src/store/types'
import { makePrivateFile } from './file-modes'
import { gateSchema, journalTimes, type GateOptions } from './schema-gate'
import { closeOnce } from './close-once'

export interface SqliteHandle {
  db: LibSQLDatabase<typeof schema>
  store: Store
  close: () => Promise<void>
  /** What the data repairs that migrations left pending did at this open. */
  repairs: RepairReport
}

const MIGRATIONS = fileURLToPath(new URL('../../migrations/sqlite', import.meta.url))

const BUSY_TIMEOUT_MS = 5000
/** KiB when negative, per connection. */
const CACHE_SIZE = -16384

/** The applied migrations' journal times; [] before drizzle created its table. */
export const appliedSqlite = async (client: Client): Promise<number[]> => {
  try {
    const r = await client.execute('select created_at from __drizzle_migrations')
    return r.rows.map((row) => Number(row.created_at))
  } catch (err) {
    if (/no such table/i.test(String((err as Error).message))) return []
    throw err
  }
}

/**
 * Brings a libsql client's schema up through the schema gate and runs the data repairs that
 * migrations left pending: the same for a local file and a remote libSQL server.
 */
export const migrateSqlite = async (
  client: Client,
  gate: GateOptions,
): Promise<{ db: LibSQLDatabase<typeof schema>; repairs: RepairReport }> => {
  const db = drizzle(client, { schema })
  const { created } = await gateSchema(
    {
      applied: () => appliedSqlite(client),
      migrate: () => migrate(db, { migrationsFolder: MIGRATIONS }),
    },
    journalTimes(MIGRATIONS),
    { log: () => {}, ...gate },
  )
  return { db, repairs: await runPendingRepairs(db, created) }
}

/**
 * Opens (and creates) the file and brings its schema up through the schema gate. Without `gate`,
 * this process may migrate (tests, migrate-keys, a single node).
 */
export const openSqlite = async (
  path: string,
  gate: GateOptions = { mayMigrate: true },
): Promise<SqliteHandle> => {
  const memory = path === ':memory:'
  const file = memory ? '' : resolve(path)
  // Created 0600 before libsql opens it: SQLite then creates -wal and -shm 0600 too.
  if (!memory) makePrivateFile(file)
  const client = createClient({
    // pathToFileURL percent-encodes, so paths with spaces, '?' or '#' survive libsql's URL parser.
    url: memory ? ':memory:' : pathToFileURL(file).href,
    // One connection: libsql runs statements synchronously anyway, so a pool gains nothing, and
    // per-connection PRAGMAs (busy_timeout, synchronous) then hold for every statement.
    concurrency: 1,
    timeout: BUSY_TIMEOUT_MS,
  })
  const close = closeOnce(() => client.close())
  try {
    await client.execute('PRAGMA journal_mode=WAL')
    await client.execute(`PRAGMA busy_timeout=${BUSY_TIMEOUT_MS}`)
    await client.execute('PRAGMA synchronous=NORMAL')
    // 16 MiB of page cache instead of 2: a 100k-key import then costs ~25% less CPU.
    await client.execute(`PRAGMA cache_size=${CACHE_SIZE}`)
    const { db, repairs } = await migrateSqlite(client, gate)
    return { db, store: createSqlStore(db, { close }), close, repairs }
  } catch (err) {
    await close()
    throw err
  }
}

/** A second connection to the file for background writes (background-db.ts). */
export const openSqliteSecond = async (
  path: string,
  busyMs: number,
): Promise<{ db: SqlDb; close: () => Promise<void> }> => {
  const client = createClient({
    url: pathToFileURL(resolve(path)).href,
    concurrency: 1,
    timeout: busyMs,
  })
  await client.execute(`PRAGMA busy_timeout=${busyMs}`)
  await client.execute('PRAGMA synchronous=NORMAL')
  // The log batches go through this connection. With many keys, each row's key_hash lands at a
  // random page of its index: 16 MiB instead of 2 took a chat from 222 to 187 µs (edgeload-100k).
  await client.execute(`PRAGMA cache_size=${CACHE_SIZE}`)
  return { db: drizzle(client, { schema }), close: async () => client.close() }
}
