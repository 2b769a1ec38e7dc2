// The Store contract inside workerd on remote libSQL: the Workers adapter's own storage
// (openStorage with LIBSQL_URL, @libsql/client/web) against the Hrana test server that the
// global setup runs in Node over a migrated SQLite file. Every table is emptied per `make`.
import { is, sql } from 'drizzle-orm'
import { SQLiteTable } from 'drizzle-orm/sqlite-core'
import { inject } from 'vitest'
import type {} from './provided'
import { openStorage } from '../../adapters/workers/storage'
import * as schema from '../../src/store/schema.sqlite'
import { testStore } from '../store.contract'

const tables = (Object.values(schema) as unknown[]).filter((t): t is SQLiteTable =>
  is(t, SQLiteTable),
)

testStore('remote libSQL in workerd', async () => {
  const { url, token } = inject('libsql')
  const storage = openStorage({ LIBSQL_URL: url, LIBSQL_AUTH_TOKEN: token })
  const { db } = storage
  const [first, ...rest] = tables.map((t) => db.delete(t))
  await (db as unknown as { batch(q: unknown[]): Promise<unknown> }).batch([
    first,
    ...rest,
    db.run(sql`DELETE FROM sqlite_sequence`),
  ])
  return { store: storage.store, close: async () => {} }
})
