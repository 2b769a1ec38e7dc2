// The Store contract on D1 inside workerd: the same SQL as on Node, through drizzle/d1.
// Storage is isolated per file, not per test, so `make` empties every table of the schema first;
// sqlite_sequence goes too, so ids start at 1 again as in a fresh database.
import { env } from 'cloudflare:workers'
import { is, sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/d1'
import { SQLiteTable } from 'drizzle-orm/sqlite-core'
import { createSqlStore } from '../../src/store/sql'
import * as schema from '../../src/store/schema.sqlite'
import { testStore } from '../store.contract'

// Every table the schema declares, so a table added later is emptied without touching this file.
const tables = (Object.values(schema) as unknown[]).filter((t): t is SQLiteTable =>
  is(t, SQLiteTable),
)

testStore('D1', async () => {
  const db = drizzle(env.DB, { schema })
  const [first, ...rest] = tables.map((t) => db.delete(t))
  await db.batch([first, ...rest, db.run(sql`DELETE FROM sqlite_sequence`)])
  return { store: createSqlStore(db), close: async () => {} }
})
