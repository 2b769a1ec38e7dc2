// The Store contract on the Bun binary's SQLite (bun:sqlite, a synchronous driver), run by Bun's
// own test runner, which maps the suite's vitest imports to bun:test.
import { openBunSqlite } from '../../adapters/bun/db-sqlite'
import { folderMigrations } from '../../adapters/node/migrations'
import { testStore } from '../store.contract'

testStore('bun:sqlite (the Bun binary)', async () => {
  const db = await openBunSqlite(':memory:', { mayMigrate: true }, folderMigrations('sqlite'))
  return { store: db.store, close: db.close }
})
