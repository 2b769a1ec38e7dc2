// A crash between a log batch's write and its acknowledgement: the store committed the rows, but
// the writer saw an error (a lost connection, a killed driver) and keeps them for a retry. The
// retry must leave every row, every hourly stat and every key counter exactly once.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createLogWriter } from '../src/logs/writer'
import type { RequestLog } from '../src/store/types'
import type { Store } from '../src/store/types'
import { createTestApp } from './helpers/app'
import { logRow } from './store.fixtures'

const dir = mkdtempSync(join(tmpdir(), 'edgeload-log-retry-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const KEY = 'sk-crash-0123456789abcdef'
const HOUR = 3_600_000
const clock = Date.UTC(2026, 11, 1, 12, 30)

describe('a log batch retried after a lost acknowledgement', () => {
  it('leaves every row and every counter exactly once', async () => {
    const t = await createTestApp({ dbPath: join(dir, 'edgeload.db'), now: () => clock })
    try {
      const gid = await t.createGroup(
        {
          name: 'g',
          channel_type: 'openai',
          upstreams: [{ url: 'http://127.0.0.1:9', weight: 1 }],
        },
        [KEY],
      )
      const [key] = (await t.deps.store.listKeys({ group_id: gid, page: 1, page_size: 1 })).items

      // The first write commits and then fails, as if the answer never came back.
      // The writer says when rows are fresh, so the store may skip its id check only then.
      let calls = 0
      const fresh: Array<boolean | undefined> = []
      const store: Store = {
        ...t.deps.store,
        async insertLogs(rows, opts) {
          fresh.push(opts?.fresh)
          await t.deps.store.insertLogs(rows, opts)
          if (++calls === 1) throw new Error('connection lost after commit')
        },
      }
      const w = createLogWriter({ ...t.deps, store }, () => 1)
      const row = (i: number): RequestLog =>
        logRow({
          id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
          timestamp: new Date(clock + i),
          group_id: gid,
          group_name: 'g',
          key_hash: key.key_hash,
        })
      for (let i = 0; i < 7; i++) w.push(row(i))
      await w.flush()
      expect(w.failure()).toMatch(/connection lost/)
      expect(w.pending()).toBe(7)
      await w.flush()
      expect(w.failure()).toBeNull()
      expect(calls).toBe(2)
      // After a success, new rows are fresh again.
      w.push(row(7))
      await w.flush()
      expect(fresh).toEqual([true, false, true])

      const logs = await t.deps.store.queryLogs({ page: 1, page_size: 50 })
      expect(logs.total).toBe(8)
      expect(new Set(logs.items.map((r) => r.id)).size).toBe(8)
      expect(await t.deps.store.getKey(key.id)).toMatchObject({ request_count: 8 })
      const hour = Math.floor(clock / HOUR) * HOUR
      expect(await t.deps.store.hourlyStats(new Date(hour), new Date(hour + HOUR))).toEqual([
        { time: new Date(hour), group_id: gid, success_count: 8, failure_count: 0 },
      ])
    } finally {
      await t.close()
    }
  })
})
