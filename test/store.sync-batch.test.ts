// The Store on a synchronous drizzle driver (better-sqlite3): its transaction runs the callback
// synchronously, so runBatch must run the statements inside it, not await them after it committed.
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { eq, sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { afterEach, describe, expect, it } from 'vitest'
import * as schema from '../src/store/schema.sqlite'
import { createSqlStore } from '../src/store/sql'
import { runBatch, type SqlDb } from '../src/store/sql-util'
import { testStore } from './store.contract'

const MIGRATIONS = fileURLToPath(new URL('../migrations/sqlite', import.meta.url))

const openSync = () => {
  const client = new Database(':memory:')
  const db = drizzle(client, { schema })
  migrate(db, { migrationsFolder: MIGRATIONS })
  return { db, close: async () => void client.close() }
}

testStore('better-sqlite3 (synchronous driver)', async () => {
  const { db, close } = openSync()
  return { store: createSqlStore(db, { close }), close }
})

describe('runBatch on a synchronous driver', () => {
  let close = async () => {}
  afterEach(() => close())

  const open = (): SqlDb => {
    const handle = openSync()
    close = handle.close
    return handle.db
  }
  const setting = (key: string) => ({
    setting_key: key,
    setting_value: key,
    created_at: new Date(),
    updated_at: new Date(),
  })
  const keys = async (db: SqlDb) =>
    (await db.select({ k: schema.systemSettings.setting_key }).from(schema.systemSettings))
      .map((r) => r.k)
      .sort()

  it('writes nothing when a later statement fails', async () => {
    const db = open()
    await db.insert(schema.systemSettings).values(setting('taken'))
    const batch = runBatch(db, (q) => [
      q.insert(schema.systemSettings).values(setting('a')),
      q
        .update(schema.systemSettings)
        .set({ setting_value: 'changed' })
        .where(eq(schema.systemSettings.setting_key, 'taken')),
      q.insert(schema.systemSettings).values(setting('b')),
      // The primary key is taken: this one fails, after three that succeeded.
      q.insert(schema.systemSettings).values(setting('taken')),
    ])
    await expect(batch).rejects.toThrow(/UNIQUE constraint failed/)
    expect(await keys(db)).toEqual(['taken'])
    const [row] = await db.select().from(schema.systemSettings)
    expect(row.setting_value).toBe('taken')
  })

  it('returns each result in order, as awaiting the statement would', async () => {
    const db = open()
    const results = await runBatch(db, (q) => [
      q.insert(schema.systemSettings).values([setting('a'), setting('b')]),
      q
        .insert(schema.systemSettings)
        .values(setting('c'))
        .returning({ k: schema.systemSettings.setting_key }),
      q.select({ n: sql<number>`count(*)` }).from(schema.systemSettings),
      q.delete(schema.systemSettings).where(eq(schema.systemSettings.setting_key, 'a')),
    ])
    expect(results).toHaveLength(4)
    expect(results[0]).toMatchObject({ changes: 2 })
    expect(results[1]).toEqual([{ k: 'c' }])
    expect(results[2]).toEqual([{ n: 3 }])
    expect(results[3]).toMatchObject({ changes: 1 })
    expect(await keys(db)).toEqual(['b', 'c'])
  })

  it('runs an empty batch', async () => {
    expect(await runBatch(open(), () => [])).toEqual([])
  })
})
