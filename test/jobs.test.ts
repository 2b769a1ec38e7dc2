// Background jobs through runDueJobs on a fake clock: batched log writes on the configured
// interval, a full batch written at once, retention cleanup, and which jobs run on a slave.
import { afterEach, describe, expect, it } from 'vitest'
import { LEASE_LEADER } from '../src/coord/types'
import { runDueJobs } from '../src/jobs/run-due'
import { cleanupLogs } from '../src/jobs/background'
import { LOG_BATCH_ROWS, LOG_FLUSH_MS } from '../src/logs/writer'
import type { RequestLog } from '../src/store/types'
import { createTestApp, type TestApp } from './helpers/app'

const DAY = 24 * 60 * 60 * 1000
let clock = Date.UTC(2026, 10, 28, 12)
let t: TestApp | null = null

const row = (i: number, at: number): RequestLog => ({
  id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  timestamp: new Date(at),
  group_id: 1,
  group_name: 'g',
  parent_group_id: 0,
  parent_group_name: '',
  key_hash: 'ab'.repeat(32),
  key_masked: 'sk-a…bcde',
  model: 'm',
  is_success: true,
  source_ip: '',
  status_code: 200,
  request_path: '/proxy/g/v1/chat/completions',
  duration_ms: 1,
  error_message: '',
  user_agent: '',
  request_type: 'final',
  upstream_addr: '',
  is_stream: false,
  request_body: '',
})

const stored = async () => (await t!.deps.store.queryLogs({ page: 1, page_size: 1000 })).total

afterEach(async () => {
  await t?.close()
  t = null
})

describe('log writer', () => {
  it('writes buffered rows on the next flush tick, every 2 s, long before the interval', async () => {
    t = await createTestApp({ now: () => clock })
    expect(t.core.cache.settings().request_log_write_interval_minutes).toBe(1)
    for (let i = 0; i < 3; i++) t.core.logs.push(row(i, clock))
    expect(await stored()).toBe(0)
    expect(t.core.logs.pending()).toBe(3)
    await runDueJobs(t.core, clock)
    expect(await stored()).toBe(3)
    // The next flush is due LOG_FLUSH_MS later, not at every tick.
    t.core.logs.push(row(3, clock))
    await runDueJobs(t.core, clock + LOG_FLUSH_MS / 2)
    expect(await stored()).toBe(3)
    await runDueJobs(t.core, clock + LOG_FLUSH_MS)
    expect(await stored()).toBe(4)
    expect(t.core.logs.pending()).toBe(0)
  })

  it('writes a full batch at once, without waiting for the interval', async () => {
    t = await createTestApp({ now: () => clock })
    for (let i = 0; i < LOG_BATCH_ROWS - 1; i++) t.core.logs.push(row(i, clock))
    await t.settle()
    expect(await stored()).toBe(0)
    t.core.logs.push(row(LOG_BATCH_ROWS, clock))
    await t.settle()
    expect(await stored()).toBe(LOG_BATCH_ROWS)
  })

  it('writes each row at once when the interval is 0', async () => {
    t = await createTestApp({ now: () => clock })
    await t.api('PUT', '/api/settings', { request_log_write_interval_minutes: 0 })
    t.core.logs.push(row(1, clock))
    await t.settle()
    expect(await stored()).toBe(1)
  })
})

describe('retention', () => {
  it('deletes rows older than request_log_retention_days and keeps the rest', async () => {
    t = await createTestApp({ now: () => clock })
    await t.deps.store.insertLogs([row(1, clock - 8 * DAY), row(2, clock - 6 * DAY), row(3, clock)])
    await cleanupLogs(t.core)
    expect(await stored()).toBe(2)
    await t.api('PUT', '/api/settings', { request_log_retention_days: 1 })
    await cleanupLogs(t.core)
    expect(await stored()).toBe(1)
  })

  it('keeps everything when retention is 0', async () => {
    t = await createTestApp({ now: () => clock })
    await t.api('PUT', '/api/settings', { request_log_retention_days: 0 })
    await t.deps.store.insertLogs([row(1, clock - 400 * DAY)])
    await cleanupLogs(t.core)
    expect(await stored()).toBe(1)
  })
})

describe('runDueJobs', () => {
  it('runs retention and re-validation on the leader only; every node flushes its own logs', async () => {
    t = await createTestApp({ now: () => clock, config: { isMaster: false } })
    await t.deps.store.insertLogs([row(1, clock - 8 * DAY)])
    // A slave's own flush writes its rows, but it never leads: the old row stays.
    t.core.logs.push(row(2, clock))
    await runDueJobs(t.core, clock)
    expect(await stored()).toBe(2)
    expect(t.core.leader.leads()).toBe(false)
    expect(await t.deps.coord.holder(LEASE_LEADER)).toBeNull()
    await t.close()

    t = await createTestApp({ now: () => clock, config: { isMaster: true } })
    await t.deps.store.insertLogs([row(1, clock - 8 * DAY), row(2, clock)])
    await runDueJobs(t.core, clock)
    expect(t.core.leader.leads()).toBe(true)
    expect((await t.deps.coord.holder(LEASE_LEADER))?.owner).toBe(t.core.nodeId)
    expect(await stored()).toBe(1)
    // Retention runs again only 2 h later.
    await t.deps.store.insertLogs([row(3, clock - 8 * DAY)])
    await runDueJobs(t.core, clock + 60_000)
    expect(await stored()).toBe(2)
    clock += 2 * 60 * 60_000
    await runDueJobs(t.core, clock)
    expect(await stored()).toBe(1)
  })
})
