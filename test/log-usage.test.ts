// Per-key usage on a long-lived node: the log writer stores rows at once but gathers request_count
// and last_used_at, writing them once per request_log_write_interval_minutes, on flush() (as at
// shutdown), or with each batch when the interval is 0. A failed usage write is kept and retried.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { KEYS_PER_WRITE } from '../src/logs/usage-flush'
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

  it('writes many keys in slices, and keeps only the slices a failure left', async () => {
    const { t, row, count } = await setup('slices')
    try {
      const slices: number[] = []
      let failSecond = true
      const store: Store = {
        ...t.deps.store,
        async addKeyUsage(u) {
          slices.push(u.length)
          if (slices.length === 2 && failSecond) throw new Error('database is locked')
          return t.deps.store.addKeyUsage(u)
        },
      }
      const w = createLogWriter({ ...t.deps, store }, () => 1)
      // The real key last, so that it falls in the slice that fails; the others are unknown keys.
      const n = KEYS_PER_WRITE + 1_000
      for (let i = 1; i < n; i++) w.push({ ...row(i), key_hash: `h-unknown-${i}` })
      w.push(row(0))
      await w.flush()
      expect(slices).toEqual([KEYS_PER_WRITE, 1_000])
      expect(await count()).toBe(0)
      failSecond = false
      await w.flush()
      expect(slices).toEqual([KEYS_PER_WRITE, 1_000, 1_000])
      expect(await count()).toBe(1)
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
