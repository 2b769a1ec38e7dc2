// The schema gate on real SQLite files: a database migrated by a newer build is refused, a slave
// waits for a master to migrate, and masters that share a lock migrate one at a time.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createClient } from '@libsql/client'
import { sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/libsql'
import { migrate } from 'drizzle-orm/libsql/migrator'
import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { appliedSqlite, openSqlite } from '../adapters/node/db'
import { gateSchema, journalTimes } from '../adapters/node/schema-gate'
import { createRedisEval } from '../adapters/node/redis'
import { migrationLock } from '../adapters/node/shared-state'
import { ConfigError, parseEnv } from '../src/config/env'
import { dropRedisPrefix, freshRedisPrefix, REDIS_TEST_URL } from './helpers/redis'
import { rollbackTo } from './helpers/rollback'

const MIGRATIONS = fileURLToPath(new URL('../migrations/sqlite', import.meta.url))
const known = journalTimes(MIGRATIONS)
const dir = mkdtempSync(join(tmpdir(), 'edgeload-schema-gate-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let n = 0
const fresh = () => join(dir, `db-${++n}.db`)

const appliedCount = async (path: string) => {
  const c = createClient({ url: `file:${path}` })
  const r = await c.execute('select count(*) as n from __drizzle_migrations')
  c.close()
  return Number(r.rows[0].n)
}

describe('the schema gate', () => {
  it('refuses a database that a newer build migrated, naming both times', async () => {
    const path = fresh()
    await (await openSqlite(path)).close()
    const c = createClient({ url: `file:${path}` })
    const future = known[known.length - 1] + 86_400_000
    await c.execute({
      sql: 'insert into __drizzle_migrations (hash, created_at) values (?, ?)',
      args: ['from-the-future', future],
    })
    c.close()
    const err = await openSqlite(path).then(
      () => null,
      (e: unknown) => e as Error,
    )
    expect(err).toBeInstanceOf(ConfigError)
    expect(err?.message).toMatch(/schema is newer than this edgeload/)
    expect(err?.message).toContain(new Date(future).toISOString())
  })

  // What it says decides whether the start scans every table for repairs (sql-repair.ts).
  it('says a database was created only when it migrated one that had no migration applied', async () => {
    const client = createClient({ url: `file:${fresh()}` })
    const db = drizzle(client)
    const target = {
      applied: () => appliedSqlite(client),
      migrate: () => migrate(db, { migrationsFolder: MIGRATIONS }),
    }
    const gate = { mayMigrate: true, log: () => {} }
    try {
      expect(await gateSchema(target, known, gate)).toEqual({ created: true })
      expect((await target.applied()).length).toBe(known.length)
      expect(await gateSchema(target, known, gate)).toEqual({ created: false })
      // An older build's database: migrations pending, but some applied before.
      for (const s of rollbackTo('0008_')) await db.run(sql.raw(s))
      expect((await target.applied()).length).toBeLessThan(known.length)
      expect(await gateSchema(target, known, gate)).toEqual({ created: false })
      expect((await target.applied()).length).toBe(known.length)
    } finally {
      client.close()
    }
  })

  it('keeps a slave waiting, saying why, until a master has migrated', async () => {
    const path = fresh()
    const said: string[] = []
    let opened = false
    const slave = openSqlite(path, {
      mayMigrate: false,
      pollMs: 20,
      log: (_, msg) => said.push(msg),
    }).then((h) => {
      opened = true
      return h
    })
    await new Promise((r) => setTimeout(r, 300))
    expect(opened).toBe(false)
    expect(said[0]).toMatch(
      new RegExp(
        `waiting for a master to migrate the database: ${known.length} of ${known.length}`,
      ),
    )
    const master = await openSqlite(path)
    const h = await slave
    expect(said.at(-1)).toMatch(/schema is current/)
    expect(await h.store.listGroups()).toEqual([])
    await h.close()
    await master.close()
    expect(await appliedCount(path)).toBe(known.length)
  })

  it('lets masters sharing the Redis lease migrate one at a time, each migration once', async () => {
    const prefix = freshRedisPrefix()
    const clients = [0, 1, 2].map(() => new Redis(REDIS_TEST_URL, { maxRetriesPerRequest: 1 }))
    try {
      const env = parseEnv({ REDIS_DSN: REDIS_TEST_URL, REDIS_PREFIX: prefix })
      const path = fresh()
      const handles = await Promise.all(
        clients.map((c) =>
          openSqlite(path, {
            mayMigrate: true,
            lock: migrationLock({ redis: createRedisEval(c), close: async () => {} }, env),
          }),
        ),
      )
      for (const h of handles) await h.close()
      expect(await appliedCount(path)).toBe(known.length)
    } finally {
      await Promise.all(clients.map((c) => c.quit()))
      await dropRedisPrefix(prefix)
    }
  })
})
