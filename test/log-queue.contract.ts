// The log queue contract for the Redis-backed queue (Redis, Upstash) and its drain into a real
// SQLite store: rows leave the queue only after the store committed them, a drain that fails or a
// leader that dies before acknowledging leaves them queued, and rows read twice are stored once.
// `open` gives a client and a fresh key prefix, which the caller removes afterwards.
import { expect, describe, it } from 'vitest'
import { openSqlite } from '../adapters/node/db'
import type { RedisEval } from '../src/coord/redis'
import type { Deps } from '../src/deps'
import { drainLogQueue, DRAIN_BATCH } from '../src/logs/drain'
import { createRedisLogQueue } from '../src/logs/queue-redis'
import { createLogWriter, LOG_QUEUE_DELAY_MS } from '../src/logs/writer'
import type { Store } from '../src/store/types'
import { createUsageFlusher } from '../src/logs/usage-flush'
import { groupInput, logRow, newKeys } from './store.fixtures'

export type OpenQueueRedis = () => { redis: RedisEval; prefix: string }

const XADD_GARBAGE = "return redis.call('XADD', KEYS[1], '*', 'r', 'garbage')"

const storedCount = async (store: Store) => (await store.queryLogs({ page: 1, page_size: 1 })).total

export const testLogQueue = (name: string, open: OpenQueueRedis): void => {
  const freshQueue = () => {
    const { redis, prefix } = open()
    return createRedisLogQueue(redis, prefix)
  }

  describe(`the log queue: ${name}`, () => {
    it('keeps rows in order until they are acknowledged', async () => {
      const q = freshQueue()
      const rows = Array.from({ length: 5 }, (_, i) => logRow({ model: `m${i}` }))
      await q.push(rows.slice(0, 3))
      await q.push(rows.slice(3))
      expect(await q.depth()).toBe(5)
      const first = await q.read(2)
      expect(first.rows.map((r) => r.model)).toEqual(['m0', 'm1'])
      // Unacknowledged rows are read again.
      expect((await q.read(2)).ids).toEqual(first.ids)
      await q.ack(first.ids)
      expect(await q.depth()).toBe(3)
      expect((await q.read(10)).rows.map((r) => r.model)).toEqual(['m2', 'm3', 'm4'])
    })

    it('drops an entry that is not a row once read and acknowledged', async () => {
      const { redis, prefix } = open()
      const q = createRedisLogQueue(redis, prefix)
      // Written as another writer (or an older version) might have: not a row.
      await redis.eval(XADD_GARBAGE, [`${prefix}logs`], [])
      await q.push([logRow({ model: 'ok' })])
      const read = await q.read(10)
      expect(read.ids).toHaveLength(2)
      expect(read.rows.map((r) => r.model)).toEqual(['ok'])
      await q.ack(read.ids)
      expect(await q.depth()).toBe(0)
    })
  })

  describe(`draining into the database: ${name}`, () => {
    it('writes every row in batches and empties the queue', async () => {
      const q = freshQueue()
      const db = await openSqlite(':memory:')
      const n = DRAIN_BATCH * 2 + 7
      await q.push(Array.from({ length: n }, () => logRow()))
      const inserts: number[] = []
      const store = {
        ...db.store,
        insertLogs: async (rows: never[]) => {
          inserts.push(rows.length)
          return db.store.insertLogs(rows)
        },
      } as Store
      expect(await drainLogQueue(q, store, Date.now, 10_000)).toBe(n)
      expect(inserts).toEqual([DRAIN_BATCH, DRAIN_BATCH, 7])
      expect(await q.depth()).toBe(0)
      expect(await storedCount(db.store)).toBe(n)
      await db.close()
    })

    it('leaves a batch queued when the write fails, and stores it once when retried', async () => {
      const q = freshQueue()
      const db = await openSqlite(':memory:')
      await q.push(Array.from({ length: 10 }, () => logRow()))
      const failing = {
        ...db.store,
        insertLogs: async () => {
          throw new Error('database went away')
        },
      } as Store
      await expect(drainLogQueue(q, failing, Date.now, 1000)).rejects.toThrow('database went away')
      expect(await q.depth()).toBe(10)
      expect(await drainLogQueue(q, db.store, Date.now, 1000)).toBe(10)
      expect(await storedCount(db.store)).toBe(10)
      await db.close()
    })

    it('stores rows once when a leader died after its commit but before its acknowledgement', async () => {
      const q = freshQueue()
      const db = await openSqlite(':memory:')
      await q.push(Array.from({ length: 10 }, () => logRow()))
      // The first leader commits the batch and dies: no ack.
      const { rows } = await q.read(DRAIN_BATCH)
      await db.store.insertLogs(rows)
      // The next leader reads the same rows again.
      expect(await drainLogQueue(q, db.store, Date.now, 1000)).toBe(10)
      expect(await q.depth()).toBe(0)
      expect(await storedCount(db.store)).toBe(10)
      await db.close()
    })

    it('defers per-key usage to the flusher and counts each row once across lost answers', async () => {
      const q = freshQueue()
      const db = await openSqlite(':memory:')
      const g = await db.store.createGroup(groupInput('g'))
      const [key] = await db.store.addKeys(g.id, newKeys(1))
      const count = async () => (await db.store.getKey(key!.id))!.request_count
      const row = () => logRow({ group_id: g.id, key_hash: key!.key_hash, is_success: true })
      const deps = { store: db.store, now: Date.now, log: () => {} } as unknown as Deps
      const usage = createUsageFlusher(deps, () => 1)
      // The first write commits but its answer is lost; then the first ack is lost.
      let inserts = 0
      let acks = 0
      const store = {
        ...db.store,
        insertLogs: async (rows: never[], opts?: { usage?: boolean }) => {
          await db.store.insertLogs(rows, opts)
          if (++inserts === 1) throw new Error('connection lost after commit')
        },
      } as Store
      const lossy = {
        ...q,
        ack: async (ids: string[]) => {
          if (++acks === 1) throw new Error('connection reset')
          return q.ack(ids)
        },
      }
      const drain = () => drainLogQueue(lossy, store, Date.now, 1000, { usage })
      await q.push(Array.from({ length: 4 }, row))
      await expect(drain()).rejects.toThrow('connection lost after commit')
      await expect(drain()).rejects.toThrow('connection reset')
      expect(await storedCount(db.store)).toBe(4)
      await q.push([row()])
      expect(await drain()).toBe(5)
      expect(await q.depth()).toBe(0)
      // Not with each batch: the flusher writes it when due, or at once when forced.
      expect(await count()).toBe(0)
      await usage.write(true)
      expect(await count()).toBe(5)
      await db.close()
    })

    it('stops when the node no longer leads', async () => {
      const q = freshQueue()
      const db = await openSqlite(':memory:')
      await q.push(Array.from({ length: DRAIN_BATCH * 3 }, () => logRow()))
      expect(await drainLogQueue(q, db.store, Date.now, 10_000, { stillLeads: () => false })).toBe(
        DRAIN_BATCH,
      )
      expect(await q.depth()).toBe(DRAIN_BATCH * 2)
      await db.close()
    })
  })

  describe(`the log writer with a queue: ${name}`, () => {
    it('pushes a row within LOG_QUEUE_DELAY_MS, many rows in one push, and never the store', async () => {
      const q = freshQueue()
      let pushes = 0
      const queue = { ...q, push: (rows: Parameters<typeof q.push>[0]) => (pushes++, q.push(rows)) }
      const deps = {
        logQueue: queue,
        store: {
          insertLogs: async () => {
            throw new Error('a node with a queue must not write the store')
          },
        },
        now: Date.now,
        waitUntil: () => {},
        log: () => {},
      } as unknown as Deps
      const writer = createLogWriter(deps, () => 1)
      const t0 = Date.now()
      for (let i = 0; i < 20; i++) writer.push(logRow())
      while ((await q.depth()) < 20 && Date.now() - t0 < 2000) {
        await new Promise((r) => setTimeout(r, 5))
      }
      const took = Date.now() - t0
      expect(await q.depth()).toBe(20)
      expect(pushes).toBe(1)
      expect(took).toBeGreaterThanOrEqual(LOG_QUEUE_DELAY_MS - 5)
      expect(writer.failure()).toBeNull()
      console.log(`20 rows in the ${name} queue ${took} ms after they were logged`)
    })
  })
}
