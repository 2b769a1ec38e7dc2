// The Bun binary's SQLite: a bun:sqlite file (or `:memory:`) tuned as Node tunes its libsql one
// (WAL, busy timeout, synchronous=NORMAL, a 16 MiB page cache), created 0600, brought up through
// the schema gate with the embedded migrations, and the drizzle Store over it. bun:sqlite is
// synchronous, like better-sqlite3: runBatch then runs its statements inside the transaction
// (src/store/sql-util.ts).
import { Database } from 'bun:sqlite'
import { drizzle } from 'drizzle-orm/bun-sqlite'
import { resolve } from 'node:path'
import * as schema from '../../src/store/schema.sqlite'
import { createSqlStore, type SqlDb } from '../../src/store/sql'
import { runPendingRepairs } from '../../src/store/sql-repair'
import { makePrivateFile } from '../node/file-modes'
import { applyMigrations, timesOf, type MigrationMeta } from '../node/migrations'
import type { SqliteOpened } from '../node/open-database'
import { gateSchema, type GateOptions } from '../node/schema-gate'
import { closeOnce } from '../node/close-once'

const BUSY_TIMEOUT_MS = 5000

/** The applied migrations' journal times; [] before drizzle created its table. */
const applied = (client: Database): number[] => {
  try {
    const rows = client.query('select created_at from __drizzle_migrations').all()
    return (rows as { created_at: number | string }[]).map((r) => Number(r.created_at))
  } catch (err) {
    if (/no such table/i.test(String((err as Error).message))) return []
    throw err
  }
}

const connect = (path: string, busyMs: number) => {
  const client = new Database(path, { create: true })
  client.run(`PRAGMA busy_timeout=${busyMs}`)
  client.run('PRAGMA synchronous=NORMAL')
  // 16 MiB of page cache instead of 2, on both connections: a 100k-key import costs ~25% less
  // CPU, and log rows from many keys hit their key_hash index at random pages.
  client.run('PRAGMA cache_size=-16384')
  return client
}

export const openBunSqlite = async (
  path: string,
  gate: GateOptions,
  migrations: MigrationMeta[],
): Promise<SqliteOpened> => {
  const memory = path === ':memory:'
  const file = memory ? ':memory:' : resolve(path)
  // Created 0600 before SQLite opens it: SQLite then creates -wal and -shm 0600 too.
  if (!memory) makePrivateFile(file)
  const client = connect(file, BUSY_TIMEOUT_MS)
  const close = closeOnce(() => client.close())
  try {
    client.run('PRAGMA journal_mode=WAL')
    const db = drizzle({ client, schema })
    const { created } = await gateSchema(
      { applied: async () => applied(client), migrate: () => applyMigrations(db, migrations) },
      timesOf(migrations),
      { log: () => {}, ...gate },
    )
    const sqlDb = db as unknown as SqlDb
    return {
      db: sqlDb,
      store: createSqlStore(sqlDb, { close }),
      close,
      repairs: await runPendingRepairs(sqlDb, created),
    }
  } catch (err) {
    await close()
    throw err
  }
}

/** A second connection to the file for background writes (background-db.ts). */
export const openBunSqliteSecond = async (path: string, busyMs: number) => {
  const client = connect(resolve(path), busyMs)
  const db = drizzle({ client, schema }) as unknown as SqlDb
  return { db, close: async () => client.close() }
}
