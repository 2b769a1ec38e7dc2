// GET /health/ready and a database that goes away: 503 with the reason before init() and while
// the database refuses writes or cannot be reached, 200 otherwise; the proxy keeps answering from
// memory; request-log rows wait in a bounded buffer and are written exactly once when it is back.
// "Refuses writes" is `PRAGMA query_only` on the gateway's own connection: writes then fail at
// once with SQLITE_READONLY while reads work, as on a read-only or full disk (chmod does not
// reach a file that is already open, and this process runs as root).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { runNodeJobs } from '../src/jobs/run-due'
import { createLogWriter, LOG_FLUSH_MS } from '../src/logs/writer'
import type { RequestLog } from '../src/store/types'
import { createTestApp, type TestApp } from './helpers/app'
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream'

let up: FakeUpstream
let t: TestApp | null = null
let clock = Date.UTC(2026, 11, 3, 9)
const dirs: string[] = []

beforeAll(async () => {
  up = await startFakeUpstream({ record: false })
})

afterEach(async () => {
  await t?.close()
  t = null
})

afterAll(async () => {
  await up?.close()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

/** The flush duty of runDueJobs, due now whatever the clock says (the writer's backoff holds). */
const flushTick = (app: TestApp) => () => {
  app.core.jobs.lastFlush = -Infinity
  return runNodeJobs(app.core, clock)
}

/** A test app over a real SQLite file, with the clock and the flush timer in the test's hands. */
const start = async (init = true) => {
  const dir = mkdtempSync(join(tmpdir(), 'edgeload-ready-'))
  dirs.push(dir)
  t = await createTestApp({ dbPath: join(dir, 'edgeload.db'), now: () => clock, init })
  return { t, tick: flushTick(t) }
}

const setUpGroup = async (app: TestApp) => {
  const g = await app.api('POST', '/api/groups', {
    name: 'g',
    channel_type: 'openai',
    upstreams: [{ url: up.url, weight: 1 }],
  })
  expect(g.status).toBe(200)
  const id = ((await g.json()) as { data: { id: number } }).data.id
  const k = await app.api('POST', '/api/keys/add-multiple', { group_id: id, keys_text: 'sk-ok' })
  expect(k.status).toBe(200)
}

const chat = (app: TestApp, model: string) =>
  app.app.request('/proxy/g/v1/chat/completions', {
    method: 'POST',
    headers: { authorization: `Bearer ${app.authKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  })

const ready = async (app: TestApp) => {
  const r = await app.app.request('/health/ready')
  return { status: r.status, body: (await r.json()) as { status: string; reason?: string } }
}

const setWritable = async (app: TestApp, writable: boolean) => {
  await app.sqlite.db.run(sql.raw(`PRAGMA query_only = ${writable ? 0 : 1}`))
}

const storedLogs = async (app: TestApp) =>
  (await app.deps.store.queryLogs({ page: 1, page_size: 1000 })).items

describe('GET /health/ready', () => {
  it('answers 503 before init() has loaded settings, groups and keys, and 200 after', async () => {
    const { t } = await start(false)
    const before = await ready(t)
    expect(before.status).toBe(503)
    expect(before.body).toEqual({
      status: 'unavailable',
      reason: 'not initialised: settings, groups and keys are still loading',
    })
    // Liveness is another question: the process serves.
    expect((await t.app.request('/health')).status).toBe(200)
    await t.init()
    expect(await ready(t)).toEqual({ status: 200, body: { status: 'ready' } })
  })

  it('answers 503 while the database refuses writes; the proxy answers 200 from memory; rows are written once when it is back', async () => {
    const { t, tick } = await start()
    await setUpGroup(t)
    expect((await ready(t)).status).toBe(200)

    await setWritable(t, false)
    for (let i = 0; i < 20; i++) expect((await chat(t, `m-${i}`)).status).toBe(200)
    await tick()
    const down = await ready(t)
    expect(down.status).toBe(503)
    expect(down.body.reason).toMatch(
      /^database writes failing: .*readonly.* \(20 request-log rows kept in memory\)$/,
    )
    expect((await t.app.request('/health')).status).toBe(200)
    const failures = () => t.logs.filter((l) => l.msg.startsWith('request log write failed'))
    expect(failures()).toHaveLength(1)

    // Still serving; pushes do not touch the failing store, and the timer waits out its backoff.
    for (let i = 20; i < 30; i++) expect((await chat(t, `m-${i}`)).status).toBe(200)
    await t.settle()
    await tick()
    expect(failures()).toHaveLength(1)
    expect(t.core.logs.pending()).toBe(30)
    expect(await storedLogs(t)).toHaveLength(0)

    await setWritable(t, true)
    clock += LOG_FLUSH_MS
    await tick()
    expect(t.core.logs.pending()).toBe(0)
    expect(await ready(t)).toEqual({ status: 200, body: { status: 'ready' } })
    expect(t.logs.some((l) => l.msg === 'request log writes resumed')).toBe(true)
    // Every row once: further flushes write nothing again.
    await t.core.logs.flush()
    clock += LOG_FLUSH_MS
    await tick()
    const rows = await storedLogs(t)
    expect(rows).toHaveLength(30)
    expect(new Set(rows.map((r) => r.model)).size).toBe(30)
  })

  it('keeps key-health changes made while writes are refused, tries once per backoff, and writes them when back', async () => {
    const { t, tick } = await start()
    up.setBehaviour({ 'sk-bad': { status: 401 } })
    const g = await t.api('POST', '/api/groups', {
      name: 'bad',
      channel_type: 'openai',
      upstreams: [{ url: up.url, weight: 1 }],
      // One attempt per request: two requests, two health changes.
      config: { max_retries: 0 },
    })
    const id = ((await g.json()) as { data: { id: number } }).data.id
    await t.api('POST', '/api/keys/add-multiple', { group_id: id, keys_text: 'sk-bad' })
    const [key] = (await t.deps.store.listKeys({ group_id: id, page: 1, page_size: 1 })).items

    await setWritable(t, false)
    const failures = () => t.logs.filter((l) => l.msg.startsWith('key health write failed'))
    for (let i = 0; i < 2; i++) {
      const r = await t.app.request('/proxy/bad/v1/chat/completions', {
        method: 'POST',
        headers: { authorization: `Bearer ${t.authKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'm', messages: [] }),
      })
      expect(r.status).toBe(401)
      await t.settle()
    }
    // The second change waited for the backoff instead of trying the refusing store again.
    expect(failures()).toHaveLength(1)
    expect(await t.deps.store.getKey(key.id)).toMatchObject({ failure_count: 0 })

    await setWritable(t, true)
    clock += 2000
    await tick()
    await t.settle()
    expect(await t.deps.store.getKey(key.id)).toMatchObject({ failure_count: 2 })
    up.setBehaviour({ 'sk-bad': null })
  })

  it('answers 503 when the database cannot be reached at all, while the proxy keeps answering', async () => {
    const { t } = await start()
    await setUpGroup(t)
    // A closed connection fails every read and write, like a database server that went away:
    // anything on the proxy path that touched the store would now fail the request.
    await t.sqlite.close()
    const down = await ready(t)
    expect(down.status).toBe(503)
    expect(down.body.reason).toMatch(/^database unreachable: /)
    for (let i = 0; i < 5; i++) expect((await chat(t, `m-${i}`)).status).toBe(200)
    expect(t.core.logs.pending()).toBe(5)
  })
})

describe('the log buffer while the store fails', () => {
  const row = (i: number, body = ''): RequestLog => ({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    timestamp: new Date(clock),
    group_id: 1,
    group_name: 'g',
    parent_group_id: 0,
    parent_group_name: '',
    key_hash: '',
    key_masked: '',
    model: `m-${i}`,
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
    request_body: body,
  })

  it('keeps the newest rows up to maxRows, drops and counts the oldest, warns once per minute, writes the rest once back', async () => {
    const { t } = await start()
    const w = createLogWriter(t.deps, () => 1, {
      maxRows: 10,
      maxBytes: 1 << 20,
    })
    const warnings = () => t.logs.filter((l) => l.msg.startsWith('request log buffer full'))
    await setWritable(t, false)
    for (let i = 0; i < 5; i++) w.push(row(i))
    await w.tick()
    expect(w.failure()).toMatch(/readonly/)
    for (let i = 5; i < 25; i++) w.push(row(i))
    expect(w.pending()).toBe(10)
    expect(warnings()).toHaveLength(1)
    expect(warnings()[0].extra).toMatchObject({ dropped: 1, buffered: 10, max_rows: 10 })
    // Within the minute: dropped and counted, not warned about again.
    for (let i = 25; i < 30; i++) w.push(row(i))
    expect(warnings()).toHaveLength(1)
    clock += 60_000
    w.push(row(30))
    expect(warnings()).toHaveLength(2)
    // 31 rows pushed, 10 kept: 21 dropped, 1 in the first warning and 20 in the second.
    expect(warnings()[1].extra).toMatchObject({ dropped: 20, buffered: 10 })

    await setWritable(t, true)
    await w.tick()
    expect(w.pending()).toBe(0)
    expect(w.failure()).toBeNull()
    const models = (await storedLogs(t)).map((r) => r.model).sort()
    expect(models).toEqual(Array.from({ length: 10 }, (_, i) => `m-${21 + i}`).sort())
  })

  it('does not try the failing store from push, even past a full batch', async () => {
    const { t } = await start()
    const w = createLogWriter(t.deps, () => 1)
    await setWritable(t, false)
    w.push(row(0))
    await w.tick()
    for (let i = 1; i < 1200; i++) w.push(row(i))
    await t.settle()
    expect(t.logs.filter((l) => l.msg.startsWith('request log write failed'))).toHaveLength(1)
    expect(w.pending()).toBe(1200)
    await setWritable(t, true)
    clock += LOG_FLUSH_MS
    await w.tick()
    expect(w.pending()).toBe(0)
    expect(await t.deps.store.countLogs({ from: new Date(0), to: new Date(clock + 1) })).toBe(1200)
  })

  it('bounds the buffer by size too: large request bodies keep fewer rows', async () => {
    const { t } = await start()
    const body = 'x'.repeat(2000)
    // Each row costs about 2,330 (300 per row plus its text): four fit in 10,000, five do not.
    const w = createLogWriter(t.deps, () => 1, {
      maxRows: 1000,
      maxBytes: 10_000,
    })
    await setWritable(t, false)
    w.push(row(0, body))
    await w.tick()
    for (let i = 1; i < 50; i++) w.push(row(i, body))
    expect(w.pending()).toBe(4)
    await setWritable(t, true)
    await w.flush()
    const models = (await storedLogs(t)).map((r) => r.model).sort()
    expect(models).toEqual(['m-46', 'm-47', 'm-48', 'm-49'])
  })
})
