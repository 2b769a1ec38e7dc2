// Runs the Store contract on libsql: a real SQLite file in a fresh temp dir, and `:memory:`.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from 'vitest'
import { openSqlite } from '../adapters/node/db'
import { testStore } from './store.contract'

const dir = mkdtempSync(join(tmpdir(), 'edgeload-store-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let n = 0
testStore('sqlite file', async () => {
  const { store, close } = await openSqlite(join(dir, `nested/store-${++n}.db`))
  return { store, close }
})

testStore('sqlite :memory:', async () => {
  const { store, close } = await openSqlite(':memory:')
  return { store, close }
})
