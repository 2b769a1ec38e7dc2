// Runs the Store contract on libsql: a real SQLite file in a fresh temp dir, and `:memory:`.
// Also checks what openSqlite itself promises: tuned connection, idempotent migrations, close.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { createClient } from '@libsql/client'
import { sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/libsql'
import { afterAll, describe, expect, it } from 'vitest'
import { openSqlite } from '../adapters/node/db'
import { storeErrorText } from '../src/store/error-text'
import { createSqlStore } from '../src/store/sql'
import { testStore } from './store.contract'
import { groupInput } from './store.fixtures'

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

describe('openSqlite', () => {
  it('creates the directory, tunes the connection and reopens with data intact', async () => {
    const path = join(dir, 'a dir #1/edgeload.db')
    const first = await openSqlite(path)
    const pragma = async (name: string) =>
      Object.values((await first.db.all<Record<string, unknown>>(sql.raw(`PRAGMA ${name}`)))[0])[0]
    expect(await pragma('journal_mode')).toBe('wal')
    expect(await pragma('busy_timeout')).toBe(5000)
    expect(await pragma('synchronous')).toBe(1) // NORMAL
    await first.store.createGroup(groupInput('kept'))
    await first.store.close()
    await first.close() // closing twice is harmless

    const again = await openSqlite(path) // migrations already applied: nothing to do
    expect(await again.store.getGroupByName('kept')).toMatchObject({ name: 'kept' })
    await again.close()
  })
})

describe('ping', () => {
  it('reads the file: a file that is not a database fails it, a closed one too', async () => {
    const path = join(dir, 'garbage.db')
    writeFileSync(path, 'not a database '.repeat(300))
    const client = createClient({ url: pathToFileURL(path).href })
    const store = createSqlStore(drizzle(client))
    // What /health/ready shows: the driver's message, not drizzle's "Failed query: …".
    const why = await store.ping().then(() => 'answered', storeErrorText)
    expect(why).toMatch(/SQLITE_NOTADB: file is not a database/)
    client.close()

    const open = await openSqlite(join(dir, 'ping.db'))
    await open.store.ping()
    await open.close()
    await expect(open.store.ping()).rejects.toThrow()
  })
})

// Drivers without db.batch take the transaction path; hide batch to run the contract on it too.
testStore('sqlite :memory: without db.batch', async () => {
  const { db, close } = await openSqlite(':memory:')
  const noBatch = new Proxy(db, {
    has: (target, key) => key !== 'batch' && Reflect.has(target, key),
    get: (target, key, receiver) =>
      key === 'batch' ? undefined : Reflect.get(target, key, receiver),
  })
  return { store: createSqlStore(noBatch, { close }), close }
})
