// Store contract, logs part: insert and query with every filter, hourly roll-up, per-key usage.
import { describe, expect, it } from 'vitest'
import type { Store } from '../src/store/types'
import { groupInput, HOUR, logRow, newKeys, T0 } from './store.fixtures'

export function describeLogs(get: () => Store) {
  describe('logs and stats', () => {
    it('round-trips rows, newest first, with paging and total', async () => {
      // Milliseconds must survive the round trip: toEqual compares Dates by getTime().
      const rows = Array.from({ length: 23 }, (_, i) =>
        logRow({ timestamp: new Date(T0 + i * 1000 + 123) }),
      )
      await get().insertLogs(rows)
      await get().insertLogs([])
      const page1 = await get().queryLogs({ page: 1, page_size: 10 })
      expect(page1.total).toBe(23)
      expect(page1.items[0]).toEqual(rows[22])
      expect(page1.items[0].timestamp.getTime()).toBe(T0 + 22_123)
      const page3 = await get().queryLogs({ page: 3, page_size: 10 })
      expect(page3.items.map((r) => r.id)).toEqual([rows[2].id, rows[1].id, rows[0].id])
    })

    it('round-trips batches where a column holds its default in every row, some or none', async () => {
      // Columns at their default in every row of a batch are written as literals.
      const plain = { parent_group_id: 0, parent_group_name: '', error_message: '' }
      const allDefault = Array.from({ length: 3 }, (_, i) =>
        logRow({
          ...plain,
          request_body: '',
          user_agent: '',
          source_ip: '',
          is_stream: false,
          timestamp: new Date(T0 + i),
        }),
      )
      const mixed = [
        logRow({ ...plain, timestamp: new Date(T0 + 10) }),
        logRow({
          parent_group_id: 7,
          parent_group_name: 'agg',
          is_stream: true,
          timestamp: new Date(T0 + 11),
        }),
        logRow({
          ...plain,
          request_type: 'retry',
          error_message: "it's 'quoted'",
          timestamp: new Date(T0 + 12),
        }),
      ]
      await get().insertLogs(allDefault, { fresh: true })
      await get().insertLogs(mixed)
      const { items } = await get().queryLogs({ page: 1, page_size: 10 })
      expect(items).toEqual([...allDefault, ...mixed].reverse())
    })

    it('round-trips batches whose rows share values that are not defaults, in each type', async () => {
      // SQLite binds a value every row of a batch shares once (Dialect.sharedCell): it must land
      // as the same type and text as a per-row cell, quotes and emoji included.
      const shared = {
        group_id: 42,
        group_name: '123',
        model: `it's "gpt" 🚀`,
        is_success: false,
        status_code: 503,
        duration_ms: 7,
        timestamp: new Date(T0 + 999),
        user_agent: 'ua ✓',
        request_body: '{"a":1}',
        is_stream: true,
      }
      const batch = Array.from({ length: 4 }, (_, i) => logRow({ ...shared, key_hash: `h-${i}` }))
      const alone = logRow({ ...shared, group_name: '0', timestamp: new Date(T0 + 5000) })
      await get().insertLogs(batch, { fresh: true })
      await get().insertLogs([alone], { fresh: true })
      const { items } = await get().queryLogs({ page: 1, page_size: 10 })
      expect(items).toEqual([alone, ...[...batch].reverse()])
      expect(typeof items[0]!.group_name).toBe('string')
      expect(items[1]!.is_success).toBe(false)
    })

    it('filters by every LogQuery field', async () => {
      const s = get()
      const rows = [
        logRow({ group_name: 'alpha', parent_group_name: 'agg-main', parent_group_id: 9 }),
        logRow({
          group_name: 'beta',
          model: 'gemini-2.5-pro',
          key_hash: 'h-x',
          timestamp: new Date(T0 + 5000),
        }),
        logRow({
          is_success: false,
          status_code: 429,
          request_type: 'retry',
          error_message: 'Rate limit hit',
        }),
        logRow({ source_ip: '10.0.0.2', model: 'a_b', timestamp: new Date(T0 + 10_000) }),
        logRow({ model: 'axb' }),
      ]
      await s.insertLogs(rows)
      const ids = async (q: Omit<Parameters<Store['queryLogs']>[0], 'page' | 'page_size'>) =>
        (await s.queryLogs({ page: 1, page_size: 50, ...q })).items.map((r) => r.id).sort()
      const [a, b, c, d, e] = rows.map((r) => r.id)
      expect(await ids({ parent_group_name: 'main' })).toEqual([a])
      expect(await ids({ group_name: 'et' })).toEqual([b])
      expect(await ids({ model: 'gemini' })).toEqual([b])
      expect(await ids({ model: 'a_b' })).toEqual([d])
      expect(await ids({ key_hash: 'h-x' })).toEqual([b])
      expect(await ids({ is_success: false })).toEqual([c])
      expect(await ids({ is_success: true })).toEqual([a, b, d, e].sort())
      expect(await ids({ request_type: 'retry' })).toEqual([c])
      expect(await ids({ status_code: 429 })).toEqual([c])
      expect(await ids({ source_ip: '10.0.0.2' })).toEqual([d])
      expect(await ids({ error_contains: 'limit' })).toEqual([c])
      expect(await ids({ start_time: new Date(T0 + 5000) })).toEqual([b, d].sort())
      expect(await ids({ end_time: new Date(T0 + 5000) })).toEqual([a, b, c, e].sort())
      expect(await ids({ start_time: new Date(T0 + 5000), end_time: new Date(T0 + 5000) })).toEqual(
        [b],
      )
      expect(await ids({ group_name: 'alpha', is_success: true, model: 'gpt' })).toEqual([a])
    })

    it('rolls final rows into hourly stats for the group and its parent', async () => {
      const s = get()
      await s.insertLogs([
        logRow({ group_id: 1, timestamp: new Date(T0) }),
        logRow({ group_id: 1, timestamp: new Date(T0 + HOUR - 1), is_success: false }),
        logRow({
          group_id: 1,
          timestamp: new Date(T0 + 5),
          is_success: false,
          request_type: 'retry',
        }),
        logRow({ group_id: 2, parent_group_id: 9, timestamp: new Date(T0 + HOUR + 7) }),
      ])
      await s.insertLogs([logRow({ group_id: 1, timestamp: new Date(T0 + 30_000) })])
      const stats = await s.hourlyStats(new Date(T0 - HOUR), new Date(T0 + 3 * HOUR))
      expect(stats).toEqual([
        { time: new Date(T0), group_id: 1, success_count: 2, failure_count: 1 },
        { time: new Date(T0 + HOUR), group_id: 2, success_count: 1, failure_count: 0 },
        { time: new Date(T0 + HOUR), group_id: 9, success_count: 1, failure_count: 0 },
      ])
      expect(await s.hourlyStats(new Date(T0), new Date(T0 + HOUR))).toHaveLength(1)
      expect(await s.hourlyStats(new Date(T0), new Date(T0 + 3 * HOUR), 9)).toEqual([stats[2]])
    })

    it('counts successful uses per key and keeps the latest use', async () => {
      const s = get()
      const gid = (await s.createGroup(groupInput('alpha'))).id
      const other = (await s.createGroup(groupInput('beta'))).id
      const [k0, k1] = await s.addKeys(gid, newKeys(2))
      const [o0] = await s.addKeys(other, newKeys(1))
      await s.insertLogs([
        logRow({ group_id: gid, key_hash: 'h-k-0', timestamp: new Date(T0 + 2001) }),
        logRow({ group_id: gid, key_hash: 'h-k-0', timestamp: new Date(T0 + 1999) }),
        logRow({ group_id: gid, key_hash: 'h-k-1', is_success: false, status_code: 500 }),
      ])
      // Older by one millisecond: the latest use stays.
      await s.insertLogs([
        logRow({ group_id: gid, key_hash: 'h-k-0', timestamp: new Date(T0 + 2000) }),
      ])
      expect(await s.getKey(k0.id)).toMatchObject({ request_count: 3 })
      expect((await s.getKey(k0.id))?.last_used_at?.getTime()).toBe(T0 + 2001)
      expect(await s.getKey(k1.id)).toMatchObject({ request_count: 0, last_used_at: null })
      expect(await s.getKey(o0.id)).toMatchObject({ request_count: 0, last_used_at: null })
    })

    it('leaves usage to addKeyUsage when asked, which adds counts and keeps the latest use', async () => {
      const s = get()
      const gid = (await s.createGroup(groupInput('alpha'))).id
      const other = (await s.createGroup(groupInput('beta'))).id
      const [k0, k1] = await s.addKeys(gid, newKeys(2))
      const [o0] = await s.addKeys(other, newKeys(1))
      await s.insertLogs([logRow({ group_id: gid, key_hash: 'h-k-0' })], { usage: false })
      expect(await s.getKey(k0.id)).toMatchObject({ request_count: 0, last_used_at: null })
      await s.addKeyUsage([])
      await s.addKeyUsage([
        { group_id: gid, key_hash: 'h-k-0', n: 2, last: T0 + 5000 },
        { group_id: gid, key_hash: 'h-k-1', n: 1, last: T0 + 10 },
        { group_id: gid, key_hash: 'h-no-such-key', n: 9, last: T0 },
      ])
      // An older use never moves last_used_at back.
      await s.addKeyUsage([{ group_id: gid, key_hash: 'h-k-0', n: 3, last: T0 + 4000 }])
      expect(await s.getKey(k0.id)).toMatchObject({ request_count: 5 })
      expect((await s.getKey(k0.id))?.last_used_at?.getTime()).toBe(T0 + 5000)
      expect(await s.getKey(k1.id)).toMatchObject({ request_count: 1 })
      expect(await s.getKey(o0.id)).toMatchObject({ request_count: 0, last_used_at: null })
    })

    it('adds usage for more keys than one statement carries, in two groups', async () => {
      const s = get()
      const a = (await s.createGroup(groupInput('alpha'))).id
      const b = (await s.createGroup(groupInput('beta'))).id
      // 6,000 + 1 keys: past the 5,000 keys of one update statement (sql-usage.ts).
      const keys = newKeys(6_000)
      for (let i = 0; i < keys.length; i += 1_000) await s.addKeys(a, keys.slice(i, i + 1_000))
      await s.addKeys(b, newKeys(1))
      await s.addKeyUsage([
        ...keys.map((k, i) => ({
          group_id: a,
          key_hash: k.key_hash,
          n: 1 + (i % 3),
          last: T0 + i,
        })),
        { group_id: b, key_hash: 'h-k-0', n: 7, last: T0 + 1 },
      ])
      const page = await s.listKeys({ group_id: a, page: 1, page_size: 6_000 })
      const used = new Map(page.items.map((k) => [k.key_hash, k]))
      expect(used.size).toBe(6_000)
      keys.forEach((k, i) => {
        const row = used.get(k.key_hash)!
        expect([row.request_count, row.last_used_at?.getTime()]).toEqual([1 + (i % 3), T0 + i])
      })
      const [other] = (await s.listKeys({ group_id: b, page: 1, page_size: 1 })).items
      expect(other).toMatchObject({ request_count: 7, last_used_at: new Date(T0 + 1) })
    })

    it('writes a batch atomically: a failing row leaves no stats or usage behind', async () => {
      const s = get()
      const gid = (await s.createGroup(groupInput('alpha'))).id
      const [k] = await s.addKeys(gid, newKeys(1))
      const first = logRow({ group_id: gid })
      await s.insertLogs([first])
      const again = Array.from({ length: 12 }, () => logRow({ group_id: gid }))
      // NOT NULL fails on the last row, after the others went in within the same batch.
      const broken = logRow({ group_id: gid, status_code: null as unknown as number })
      await expect(s.insertLogs([...again, broken])).rejects.toThrow()
      expect((await s.queryLogs({ page: 1, page_size: 50 })).total).toBe(1)
      expect(await s.getKey(k.id)).toMatchObject({ request_count: 1 })
      const [stat] = await s.hourlyStats(new Date(T0), new Date(T0 + HOUR))
      expect(stat).toMatchObject({ success_count: 1 })
    })

    it('counts a row once however often it is written: rows, hourly stats, key usage', async () => {
      const s = get()
      const gid = (await s.createGroup(groupInput('alpha'))).id
      const [k] = await s.addKeys(gid, newKeys(1))
      const row = (ms: number) =>
        logRow({ group_id: gid, key_hash: 'h-k-0', timestamp: new Date(T0 + ms) })
      const batch = [row(1), row(2), row(3)]
      await s.insertLogs(batch)
      // The same batch again (a retry after a lost acknowledgement), then one that overlaps.
      await s.insertLogs(batch)
      const later = row(4)
      await s.insertLogs([batch[2], later, batch[0]])
      expect((await s.queryLogs({ page: 1, page_size: 50 })).total).toBe(4)
      expect(await s.getKey(k.id)).toMatchObject({
        request_count: 4,
        last_used_at: new Date(T0 + 4),
      })
      expect(await s.hourlyStats(new Date(T0), new Date(T0 + HOUR))).toEqual([
        { time: new Date(T0), group_id: gid, success_count: 4, failure_count: 0 },
      ])
    })

    it('inserts large batches and deletes logs strictly before a time', async () => {
      const s = get()
      const gid = (await s.createGroup(groupInput('alpha'))).id
      const keys = await s.addKeys(gid, newKeys(40))
      const rows = Array.from({ length: 230 }, (_, i) =>
        logRow({ group_id: gid, key_hash: `h-k-${i % 40}`, timestamp: new Date(T0 + i * 60_000) }),
      )
      await s.insertLogs(rows)
      expect((await s.queryLogs({ page: 1, page_size: 1 })).total).toBe(230)
      // 40 keys span two usage updates; key 39 was used by rows 39, 79, …, 199.
      const used = await s.listKeys({ group_id: gid, page: 1, page_size: 50 })
      expect(used.items.reduce((n, k) => n + k.request_count, 0)).toBe(230)
      expect(await s.getKey(keys[39].id)).toMatchObject({
        request_count: 5,
        last_used_at: new Date(T0 + 199 * 60_000),
      })
      expect(await s.deleteLogsBefore(new Date(T0 + 100 * 60_000))).toBe(100)
      expect(await s.deleteLogsBefore(new Date(T0))).toBe(0)
      const left = await s.queryLogs({ page: 1, page_size: 500 })
      expect(left.total).toBe(130)
      expect(left.items.at(-1)?.timestamp).toEqual(new Date(T0 + 100 * 60_000))
    })
  })
}
