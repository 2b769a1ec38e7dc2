// Runs the Store contract on the real MariaDB / MySQL (test/helpers/mysql.ts: a fresh database per
// run, emptied before each test), and checks what openMysql itself promises: GPT-Load's Go DSN,
// millisecond times, and parallel batches without lock errors.
import { afterAll, describe, expect, it } from 'vitest'
import { openMysql } from '../adapters/node/db-mysql'
import { openDatabase } from '../adapters/node/database'
import { runMigrateKeys } from '../adapters/node/migrate-keys'
import { parseDsn } from '../adapters/node/dsn'
import { mysqlDialect } from '../src/store/dialect-mysql'
import { runBatch } from '../src/store/sql-util'
import { startTestGateway } from './helpers/gateway'
import { createTestDatabase } from './helpers/mysql'
import { testStore } from './store.contract'
import { groupInput, logRow, newKeys } from './store.fixtures'

const testDb = await createTestDatabase()
afterAll(async () => {
  await testDb?.drop()
})

if (testDb) {
  const { target } = testDb
  testStore('MySQL', async () => {
    const handle = await openMysql(target)
    await testDb.truncate()
    return handle
  })

  describe('openMysql', () => {
    it('opens GPT-Load’s Go DSN form, its Go-only parameters ignored', async () => {
      const { host, port, user, database } = target
      const dsn = `${user}@tcp(${host}:${port})/${database}?charset=utf8mb4&parseTime=True&loc=Local`
      const target2 = parseDsn(dsn)
      expect(target2.kind).toBe('mysql')
      const { store, close } = await openMysql(target2 as typeof target)
      try {
        await testDb.truncate()
        const g = await store.createGroup(groupInput('go-dsn', { description: 'emoji 😀 ok' }))
        expect(await store.getGroupByName('go-dsn')).toEqual(g)
        expect(g.description).toBe('emoji 😀 ok')
      } finally {
        await close()
      }
    })

    it('starts the Node gateway on that DSN: the admin API reads and writes MariaDB', async () => {
      await testDb.truncate()
      const { host, port, user, database } = target
      const dsn = `${user}@tcp(${host}:${port})/${database}?charset=utf8mb4&parseTime=True&loc=Local`
      const gw = await startTestGateway({ DATABASE_DSN: dsn })
      try {
        const upstreams = [{ url: 'https://api.example.com', weight: 1 }]
        const id = await gw.createGroup({ name: 'via-gateway', upstreams }, ['sk-one', 'sk-two'])
        expect(Object.keys(await gw.keysOf(id)).sort()).toEqual(['sk-one', 'sk-two'])
        const { store, close } = await openMysql(target)
        expect((await store.getGroup(id))?.name).toBe('via-gateway')
        await close()
      } finally {
        await gw.stop()
      }
    })

    it('runs migrate-keys on a MySQL DSN: keys sealed in place', async () => {
      await testDb.truncate()
      const { store, close } = await openMysql(target)
      try {
        const g = await store.createGroup(groupInput('sealed'))
        await store.addKeys(g.id, newKeys(3))
        const { host, port, user, database } = target
        const dsn = `mysql://${user}@${host}:${port}/${database}`
        const out: string[] = []
        const args = ['--to', 'a-new-encryption-key-0123456789']
        expect(
          await runMigrateKeys(args, { DATABASE_DSN: dsn }, (s) => out.push(s), { openDatabase }),
        ).toBe(0)
        expect(await store.keyStorageSample('enc:')).toMatchObject({ plain: false })
        expect((await store.keyStorageSample('enc:')).sealed).not.toBeNull()
      } finally {
        await close()
      }
    })

    it('migrates a fresh database once when nodes start together', async () => {
      const fresh = await createTestDatabase()
      if (!fresh) throw new Error('the server went away')
      try {
        const nodes = await Promise.all([1, 2, 3].map(() => openMysql(fresh.target)))
        await nodes[0].store.putSettings({ a: '1' })
        expect(await nodes[2].store.getSettings()).toEqual({ a: '1' })
        await Promise.all(nodes.map((n) => n.close()))
      } finally {
        await fresh.drop()
      }
    })

    it('keeps milliseconds of every time through a round trip', async () => {
      const { store, close } = await openMysql(target)
      try {
        await testDb.truncate()
        const at = new Date(Date.UTC(2026, 11, 4, 10, 11, 12, 345))
        const g = await store.createGroup(groupInput('ms'))
        await store.setGroupValidatedAt(g.id, at)
        expect((await store.getGroup(g.id))?.last_validated_at).toEqual(at)
        await store.insertLogs([logRow({ group_id: g.id, timestamp: at })])
        const logs = await store.queryLogs({ page: 1, page_size: 10 })
        expect(logs.items[0]?.timestamp).toEqual(at)
      } finally {
        await close()
      }
    })

    // Three nodes' pools, keys in a different order per batch: InnoDB does pick deadlock victims
    // here (the usage counts lock keys by hash, the health writes by id); openMysql runs them again.
    it('runs 20 parallel batches of log inserts and key updates without a lock error', async () => {
      const nodes = await Promise.all([1, 2, 3].map(() => openMysql(target)))
      const [{ store, db }] = nodes
      const close = async () => {
        await Promise.all(nodes.map((n) => n.close()))
      }
      try {
        await testDb.truncate()
        const g = await store.createGroup(groupInput('busy'))
        const keys = await store.addKeys(g.id, newKeys(200))
        const started = Date.now()
        await Promise.all(
          Array.from({ length: 20 }, async (_, i) => {
            const node = nodes[i % nodes.length].store
            const shuffled = [...keys].sort(() => Math.random() - 0.5)
            const rows = shuffled.map((k, j) =>
              logRow({
                id: crypto.randomUUID(),
                group_id: g.id,
                key_hash: k.key_hash,
                timestamp: new Date(started + i * 1000 + j),
              }),
            )
            await node.insertLogs(rows)
            await node.updateKeyHealth(
              shuffled.map((k) => ({ id: k.id, status: 'active', failure_count: i })),
            )
          }),
        )
        expect((await store.countKeys(g.id)).total).toBe(200)
        const page = await store.listKeys({ group_id: g.id, page: 1, page_size: 200 })
        expect(page.items.every((k) => k.request_count === 20)).toBe(true)
        const window = { from: new Date(0), to: new Date(started + 100_000) }
        expect(await store.countLogs(window)).toBe(4000)
        // runBatch on mysql2 is a transaction on one pooled connection: a failure rolls back.
        const { apiKeys } = mysqlDialect.t
        const before = await store.countKeys(g.id)
        await expect(
          runBatch(db as never, (q) => [
            q.delete(apiKeys),
            q.insert(apiKeys).values({ group_id: g.id, key_value: 'x' } as never),
          ]),
        ).rejects.toThrow()
        expect(await store.countKeys(g.id)).toEqual(before)
      } finally {
        await close()
      }
    })
  })
} else {
  describe.skip('MySQL Store (no server: see the message above)', () => {
    it('needs MariaDB or MySQL', () => {})
  })
}
