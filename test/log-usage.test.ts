// Per-key usage on a long-lived node: the log writer stores rows at once but gathers request_count
// and last_used_at, writing them once per request_log_write_interval_minutes, on flush() (as at
// shutdown), or with each batch when the interval is 0. A failed usage write is kept and retried.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createLogWriter } from '../src/logs/writer'
import type { RequestLog, Store } from '../src/store/types'
import { createTestApp } from './helpers/app'
import { logRow } from './store.fixtures'

const dir = mkdtempSync(join(tmpdir(), 'edgeload-log-usage-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const KEY = 'sk-usage-0123456789abcdef'

const setup = async (name: string) => {
  let clock = Date.UTC(2026, 11, 1, 12, 0)
  const t = await createTestApp({ dbPath: join(dir, `${name}.db`), now: () => clock })
  const gid = await t.createGroup(
    { name: 'g', channel_type: 'openai', upstreams: [{ url: 'http://127.0.0.1:9', weight: 1 }] },
    [KEY],
  )
  const [key] = (await t.deps.store.listKeys({ group_id: gid, page: 1, page_size: 1 })).items
  const row = (i: number): RequestLog =>
    logRow({ timestamp: new Date(clock + i), group_id: gid, key_hash: key!.key_hash })
  const count = async () => (await t.deps.store.getKey(key!.id))!.request_count
  const logs = async () => (await t.deps.store.queryLogs({ page: 1, page_size: 1 })).total
  return { t, row, count, logs, tick: (ms: number) => (clock += ms) }
}

describe('per-key usage from the log writer', () => {
  it('stores rows at once and usage once a minute, or on flush', async () => {
    const { t, row, count, logs, tick } = await setup('minute')
    try {
      const w = createLogWriter(t.deps, () => 1)
      for (let i = 0; i < 3; i++) w.push(row(i))
      await w.tick()
      expect(await logs()).toBe(3)
      expect(await count()).toBe(0)
      tick(30_000)
      w.push(row(0))
      await w.tick()
      expect(await logs()).toBe(4)
      expect(await count()).toBe(0)
      tick(30_000)
      await w.tick()
      expect(await count()).toBe(4)
      w.push(row(1))
      await w.flush()
      expect(await count()).toBe(5)
    } finally {
      await t.close()
    }
  })

  it('writes usage with each batch when the interval is 0', async () => {
    const { t, row, count } = await setup('zero')
    try {
      const w = createLogWriter(t.deps, () => 0)
      w.push(row(0))
      w.push(row(1))
      await w.tick()
      expect(await count()).toBe(2)
    } finally {
      await t.close()
    }
  })

  it('keeps usage whose write failed and writes it on the next turn, once', async () => {
    const { t, row, count } = await setup('retry')
    try {
      let fail = true
      const store: Store = {
        ...t.deps.store,
        async addKeyUsage(u) {
          if (fail) throw new Error('database is locked')
          return t.deps.store.addKeyUsage(u)
        },
      }
      const w = createLogWriter({ ...t.deps, store }, () => 1)
      w.push(row(0))
      await w.flush()
      expect(await count()).toBe(0)
      fail = false
      w.push(row(1))
      await w.flush()
      expect(await count()).toBe(2)
      await w.flush()
      expect(await count()).toBe(2)
    } finally {
      await t.close()
    }
  })
})
