// Store contract, log reads beyond the admin list: window counts (dashboard), the CSV export's
// per-key rows, and deletion by age, all on millisecond boundaries.
import { beforeEach, describe, expect, it } from 'vitest'
import type { Store } from '../src/store/types'
import { HOUR, logRow, T0 } from './store.fixtures'

const at = (ms: number) => new Date(T0 + ms)

export function describeLogExport(get: () => Store) {
  describe('log counts, export and age', () => {
    let store: Store
    beforeEach(() => {
      store = get()
    })

    it('counts rows in a half-open window to the millisecond, optionally by type', async () => {
      await store.insertLogs([
        logRow({ timestamp: at(122) }),
        logRow({ timestamp: at(123) }),
        logRow({ timestamp: at(123), request_type: 'retry', is_success: false }),
        logRow({ timestamp: at(124) }),
      ])
      expect(await store.countLogs({ from: at(0), to: at(1000) })).toBe(4)
      expect(await store.countLogs({ from: at(123), to: at(124) })).toBe(2)
      expect(await store.countLogs({ from: at(123), to: at(124), request_type: 'final' })).toBe(1)
      expect(await store.countLogs({ from: at(0), to: at(1000), request_type: 'retry' })).toBe(1)
      expect(await store.countLogs({ from: at(124), to: at(124) })).toBe(0)
      expect(await store.countLogs({ from: at(125), to: at(1000) })).toBe(0)
    })

    it('lists each key hash once with its latest row, in hash order, after a hash', async () => {
      await store.insertLogs([
        logRow({ key_hash: 'h-b', key_masked: 'b-old', group_name: 'alpha', timestamp: at(1) }),
        logRow({
          key_hash: 'h-b',
          key_masked: 'b-new',
          group_name: 'beta',
          status_code: 429,
          is_success: false,
          timestamp: at(2),
        }),
        logRow({ key_hash: 'h-a', key_masked: 'a', timestamp: at(3) }),
        logRow({ key_hash: 'h-c', key_masked: 'c', timestamp: at(4) }),
        // A row without a key (failed before one was picked) has nothing to export.
        logRow({ key_hash: '', key_masked: '', timestamp: at(5) }),
      ])
      const rowA = { key_hash: 'h-a', key_masked: 'a', group_name: 'alpha', status_code: 200 }
      const rowB = { key_hash: 'h-b', key_masked: 'b-new', group_name: 'beta', status_code: 429 }
      const rowC = { key_hash: 'h-c', key_masked: 'c', group_name: 'alpha', status_code: 200 }
      expect(await store.logKeys({}, '', 10)).toEqual([rowA, rowB, rowC])
      expect(await store.logKeys({}, '', 2)).toEqual([rowA, rowB])
      expect(await store.logKeys({}, 'h-b', 2)).toEqual([rowC])
      expect(await store.logKeys({}, 'h-c', 2)).toEqual([])
    })

    it('pages through hashes with different first characters at every page size', async () => {
      // SQLite indexes log hashes by their first character and reads them bucket by bucket: pages
      // must run across buckets, start inside one, and pass over a bucket the filter empties.
      const hashes = ['0a', '0b', '3c', '9z', 'a1', 'a2', 'a3', 'f0', 'fz']
      await store.insertLogs([
        ...hashes.map((key_hash, i) =>
          logRow({ key_hash, key_masked: key_hash, timestamp: at(i) }),
        ),
        logRow({ key_hash: 'a2', key_masked: 'a2-new', timestamp: at(50) }),
        logRow({ key_hash: '5q', is_success: false, status_code: 500, timestamp: at(60) }),
        logRow({ key_hash: '', key_masked: '', timestamp: at(70) }),
      ])
      for (const limit of [1, 2, 3, 4, 10]) {
        const seen: string[] = []
        for (let after = ''; ;) {
          const page = await store.logKeys({ is_success: true }, after, limit)
          expect(page.length).toBeLessThanOrEqual(limit)
          seen.push(...page.map((r) => r.key_hash))
          if (page.length < limit) break
          after = page[page.length - 1].key_hash
        }
        expect(seen).toEqual(hashes)
      }
      expect(await store.logKeys({}, 'a1', 2)).toEqual([
        { key_hash: 'a2', key_masked: 'a2-new', group_name: 'alpha', status_code: 200 },
        { key_hash: 'a3', key_masked: 'a3', group_name: 'alpha', status_code: 200 },
      ])
      expect((await store.logKeys({}, '3c', 10)).map((r) => r.key_hash)).toEqual([
        '5q',
        '9z',
        'a1',
        'a2',
        'a3',
        'f0',
        'fz',
      ])
      expect(await store.logKeys({}, 'fz', 10)).toEqual([])
      const a2 = await store.queryLogs({ page: 1, page_size: 10, key_hash: 'a2' })
      expect(a2.items.map((r) => r.key_masked)).toEqual(['a2-new', 'a2'])
      expect((await store.queryLogs({ page: 1, page_size: 10, key_hash: 'a' })).total).toBe(0)
    })

    it('exports only the rows the filter matches, latest among them', async () => {
      await store.insertLogs([
        logRow({ key_hash: 'h-a', key_masked: 'a-ok', timestamp: at(1) }),
        logRow({
          key_hash: 'h-a',
          key_masked: 'a-fail',
          is_success: false,
          status_code: 500,
          timestamp: at(2),
        }),
        logRow({ key_hash: 'h-b', key_masked: 'b', group_name: 'beta', timestamp: at(3) }),
      ])
      expect(await store.logKeys({ is_success: true }, '', 10)).toEqual([
        { key_hash: 'h-a', key_masked: 'a-ok', group_name: 'alpha', status_code: 200 },
        { key_hash: 'h-b', key_masked: 'b', group_name: 'beta', status_code: 200 },
      ])
      expect(await store.logKeys({ group_name: 'beta' }, '', 10)).toEqual([
        { key_hash: 'h-b', key_masked: 'b', group_name: 'beta', status_code: 200 },
      ])
      expect(await store.logKeys({ end_time: at(1) }, '', 10)).toEqual([
        { key_hash: 'h-a', key_masked: 'a-ok', group_name: 'alpha', status_code: 200 },
      ])
    })

    it('deletes logs strictly before a time, to the millisecond; stats stay', async () => {
      const rows = [
        logRow({ timestamp: at(999) }),
        logRow({ timestamp: at(1000) }),
        logRow({ timestamp: at(1001) }),
      ]
      await store.insertLogs(rows)
      expect(await store.deleteLogsBefore(at(1000))).toBe(1)
      expect(await store.deleteLogsBefore(at(1000))).toBe(0)
      const left = await store.queryLogs({ page: 1, page_size: 10 })
      expect(left.items.map((r) => r.timestamp.getTime())).toEqual([T0 + 1001, T0 + 1000])
      // The hourly roll-up is history of its own: deleting rows does not undo it.
      expect(await store.hourlyStats(at(0), at(HOUR))).toEqual([
        { time: new Date(T0), group_id: 1, success_count: 3, failure_count: 0 },
      ])
      expect(await store.deleteLogsBefore(at(1002))).toBe(2)
      expect(await store.countLogs({ from: at(0), to: at(5000) })).toBe(0)
    })
  })
}
