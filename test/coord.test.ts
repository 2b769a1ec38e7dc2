// Runs the coordination contract on memory, on a SQLite file (a separate libsql connection per
// node, as separate processes would have) and on SQLite `:memory:` (one connection).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openSqlite, type SqliteHandle } from '../adapters/node/db'
import { createMemoryCoordination } from '../src/coord/memory'
import { createSqlCoordination } from '../src/coord/sql'
import { testCoordination } from './coord.contract'

testCoordination('memory', async (now) => {
  const coord = createMemoryCoordination(now)
  return { open: async () => coord, close: async () => {} }
})

testCoordination('SQLite file', async (now) => {
  const dir = mkdtempSync(join(tmpdir(), 'edgeload-coord-'))
  const handles: SqliteHandle[] = []
  return {
    async open() {
      const h = await openSqlite(join(dir, 'db.sqlite'))
      handles.push(h)
      return createSqlCoordination(h.db, now)
    },
    async close() {
      await Promise.all(handles.map((h) => h.close()))
      rmSync(dir, { recursive: true, force: true })
    },
  }
})

testCoordination('SQLite :memory:', async (now) => {
  const h = await openSqlite(':memory:')
  const coord = createSqlCoordination(h.db, now)
  return { open: async () => coord, close: h.close }
})
