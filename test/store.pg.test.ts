// Runs the Store contract on PostgreSQL (node-postgres), on a database created for this run and
// dropped after it. Also checks what the contract does not: millisecond timestamps, concurrent
// writers without lock errors, and openPostgres itself (idempotent migrations, close).
import { getTableName, is, sql } from 'drizzle-orm'
import { PgTable } from 'drizzle-orm/pg-core'
import { afterAll, describe, expect, it } from 'vitest'
import { openPostgres, type PgHandle } from '../adapters/node/db-pg'
import * as schema from '../src/store/schema.pg'
import { testStore } from './store.contract'
import { groupInput, logRow, newKeys, T0 } from './store.fixtures'
import { startTestGateway } from './helpers/gateway'
import { freshPostgres, withPostgres } from './helpers/postgres'

const TABLES = (Object.values(schema) as unknown[])
  .filter((t): t is PgTable => is(t, PgTable))
  .map((t) => `"${getTableName(t)}"`)
  .join(', ')

/** An open store over an emptied database, as the contract asks of every `make`. */
const emptied = async (url: string): Promise<PgHandle> => {
  const handle = await openPostgres(url, { max: 4 })
  await handle.db.execute(sql.raw(`truncate table ${TABLES} restart identity`))
  return handle
}

const db = await freshPostgres()

withPostgres(db, describe, it, ({ url, drop }) => {
  afterAll(drop)

  testStore('postgres', async () => {
    const { store, close } = await emptied(url)
    return { store, close }
  })

  describe('PostgreSQL specifics', () => {
    it('keeps milliseconds: a .123 s log time, key use and group validation round-trip', async () => {
      const h = await emptied(url)
      try {
        const gid = (await h.store.createGroup(groupInput('alpha'))).id
        const [k] = await h.store.addKeys(gid, newKeys(1))
        const at = new Date(T0 + 123)
        await h.store.insertLogs([logRow({ group_id: gid, key_hash: 'h-k-0', timestamp: at })])
        const [log] = (await h.store.queryLogs({ page: 1, page_size: 10 })).items
        expect(log.timestamp.getTime()).toBe(T0 + 123)
        expect((await h.store.getKey(k.id))?.last_used_at?.getTime()).toBe(T0 + 123)
        expect(await h.store.countLogs({ from: at, to: new Date(T0 + 124) })).toBe(1)
        expect(await h.store.countLogs({ from: new Date(T0 + 124), to: new Date(T0 + 999) })).toBe(
          0,
        )
        await h.store.setGroupValidatedAt(gid, new Date(T0 + 7))
        expect((await h.store.getGroup(gid))?.last_validated_at?.getTime()).toBe(T0 + 7)
      } finally {
        await h.close()
      }
    })

    it('stores a log row whose text holds U+0000 (which PostgreSQL text cannot) as U+FFFD', async () => {
      const h = await emptied(url)
      try {
        await h.store.insertLogs([logRow({ error_message: 'a\u0000b', request_body: '\\u0000' })])
        const [log] = (await h.store.queryLogs({ page: 1, page_size: 10 })).items
        expect([log.error_message, log.request_body]).toEqual(['a\ufffdb', '\\u0000'])
      } finally {
        await h.close()
      }
    })

    it('takes 20 concurrent batches of log inserts and key writes without lock errors', async () => {
      const h = await emptied(url)
      try {
        const gid = (await h.store.createGroup(groupInput('alpha'))).id
        const keys = await h.store.addKeys(gid, newKeys(10))
        const ids = keys.map((k) => k.id)
        const rounds = Array.from({ length: 20 }, (_, r) => r)
        await Promise.all(
          rounds.map(async (r) => {
            // Every round uses every key, in an order of its own, so the writers overlap.
            const order = [...keys].sort(() => Math.random() - 0.5)
            await Promise.all([
              h.store.insertLogs(
                order.map((k, i) =>
                  logRow({
                    group_id: gid,
                    key_hash: k.key_hash,
                    timestamp: new Date(T0 + r * 10 + i),
                  }),
                ),
              ),
              h.store.updateKeyHealth(
                order.map((k, i) => ({ id: k.id, status: 'active', failure_count: (r + i) % 3 })),
              ),
              h.store.setKeysEnabled(gid, ids.slice(0, 5), r % 2 === 0),
              h.store.addKeys(gid, newKeys(3, `r${r}`)),
            ])
          }),
        )
        expect((await h.store.queryLogs({ page: 1, page_size: 1 })).total).toBe(200)
        const used = await Promise.all(ids.map((id) => h.store.getKey(id)))
        expect(used.map((k) => k?.request_count)).toEqual(ids.map(() => 20))
        expect((await h.store.countKeys(gid)).total).toBe(10 + 20 * 3)
        const [stat] = await h.store.hourlyStats(new Date(T0), new Date(T0 + 3_600_000))
        expect(stat).toMatchObject({ success_count: 200, failure_count: 0 })
      } finally {
        await h.close()
      }
    })
  })

  describe('openPostgres', () => {
    it('migrates once, reopens with data intact, and closes twice harmlessly', async () => {
      const first = await emptied(url)
      await first.store.createGroup(groupInput('kept'))
      await first.close()
      await first.close()
      // Two nodes starting at once: the advisory lock lets one migrate, the other waits.
      const [a, b] = await Promise.all([openPostgres(url), openPostgres(url)])
      expect(await a.store.getGroupByName('kept')).toMatchObject({ name: 'kept' })
      await Promise.all([a.close(), b.close()])
      await expect(a.store.ping()).rejects.toThrow()
    })

    it('refuses a database it cannot reach, naming the failure', async () => {
      const bad = new URL(url)
      bad.pathname = '/edgeload_test_missing_db'
      await expect(openPostgres(bad.href)).rejects.toThrow(/edgeload_test_missing_db/)
    })
  })

  describe('the Node gateway on PostgreSQL', () => {
    it('starts on a postgres:// DATABASE_DSN and keeps what the admin API writes', async () => {
      await (await emptied(url)).close()
      const first = await startTestGateway({ DATABASE_DSN: url })
      const id = await first.createGroup(
        { name: 'pg-group', upstreams: [{ url: 'http://127.0.0.1:9', weight: 1 }] },
        ['sk-pg-1', 'sk-pg-2'],
      )
      await first.stop()
      const again = await startTestGateway({ DATABASE_DSN: url })
      try {
        expect(Object.keys(await again.keysOf(id)).sort()).toEqual(['sk-pg-1', 'sk-pg-2'])
        expect((await fetch(`${again.url}/health`)).status).toBe(200)
      } finally {
        await again.stop()
      }
    })
  })
})
