// Resumable key tasks (src/keys/task-drive.ts): a task driven in small budgets by two apps on one
// SQLite file (two isolates) finishes with the right counts; a driver that dies mid-task is
// replaced once its lease lapses; a 100k-key import finishes in budgets; the lease is renewed
// per chunk and the cursor saved per chunk.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LEASE_TASK } from '../src/coord/types'
import { runNodeJobs } from '../src/jobs/run-due'
import { createTaskRunner } from '../src/keys/tasks'
import type { Store } from '../src/store/types'
import { createTestApp, type TestApp } from './helpers/app'
import { startFakeUpstream } from './helpers/fake-upstream'
import { sleep } from './helpers/wait'

const makeKeys = (n: number, tag = 'k') =>
  Array.from({ length: n }, (_, i) => `sk-${tag}-${String(i).padStart(8, '0')}-abcdef`)

let dir: string
const apps: TestApp[] = []
const open = async (opts: Parameters<typeof createTestApp>[0] = {}) => {
  const t = await createTestApp({ dbPath: join(dir, 'edgeload.db'), ...opts })
  apps.push(t)
  return t
}
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'edgeload-tasks-'))
})
afterEach(async () => {
  for (const t of apps.splice(0)) await t.close()
  rmSync(dir, { recursive: true, force: true })
})

const groupOn = (t: TestApp) =>
  t.createGroup({
    name: 'main',
    channel_type: 'openai',
    upstreams: [{ url: 'http://127.0.0.1:9', weight: 1 }],
  })
const status = async (t: TestApp) => (await (await t.api('GET', '/api/tasks/status')).json()).data

describe('a task driven in budgets', () => {
  it('finishes across two isolates on one database, each continuing from the cursor', async () => {
    const budget = { ms: 60_000, chunks: 1 }
    const a = await open({ config: { taskBudget: budget } })
    const b = await open({ config: { taskBudget: budget } })
    const gid = await groupOn(a)
    await a.core.keys.add(gid, makeKeys(500))
    const res = await a.api('POST', '/api/keys/add-async', {
      group_id: gid,
      keys_text: makeKeys(5500).join('\n'),
    })
    expect(res.status).toBe(200)
    await a.settle()
    // One chunk of 1000 done by the starter, then paused with the lease free.
    expect(await status(b)).toMatchObject({ is_running: true, processed: 1000, total: 5500 })
    expect(await a.deps.coord.holder(LEASE_TASK)).toBeNull()
    // Still one task: a start anywhere is refused while it waits for its next drive.
    const refused = await b.api('POST', '/api/keys/add-async', {
      group_id: gid,
      keys_text: 'sk-z-123',
    })
    expect(refused.status).toBe(409)

    let drives = 1
    for (let i = 0; (await status(a)).is_running; i++) {
      const t = i % 2 ? a : b
      // Either by runNodeJobs (cron or a later request) or directly.
      if (i % 3 === 0) runNodeJobs(t.core, Date.now() + i * 10_000)
      else await t.core.tasks.drive()
      await t.settle()
      drives++
      expect(drives).toBeLessThan(20)
    }
    expect(drives).toBe(6)
    expect(await status(b)).toMatchObject({
      is_running: false,
      processed: 5500,
      result: { added_count: 5000, ignored_count: 500 },
    })
    expect((await a.deps.store.countKeys(gid)).total).toBe(5500)
    // The input is not kept once the task is done.
    expect(await a.deps.store.getTaskInput(0)).toBeNull()
  })

  it('is resumed by another node from its cursor when its driver dies', async () => {
    const a = await open({ config: { taskBudget: { ms: 60_000, chunks: 2 } } })
    const b = await open()
    const gid = await groupOn(a)
    await a.api('POST', '/api/keys/add-async', {
      group_id: gid,
      keys_text: makeKeys(4200).join(','),
    })
    await a.settle()
    // A driver takes the task over, then its node dies: no renewal, no release.
    const lease = 300
    const state = (await a.deps.store.getTaskState())!
    expect(state.job).toMatchObject({ cursor: 2, parts: 5 })
    expect(await a.deps.coord.acquire(LEASE_TASK, 'dead', lease)).toBe(true)
    expect(await a.deps.store.claimTask(state.owner, 'dead')).toBe(true)
    const diedAt = Date.now()

    expect(await b.core.tasks.drive()).toBe('busy')
    expect(
      (await b.api('POST', '/api/keys/delete-async', { group_id: gid, keys_text: 'sk-k-1' }))
        .status,
    ).toBe(409)
    await sleep(diedAt + lease - Date.now() + 20)
    expect(await b.core.tasks.drive()).toBe('done')
    expect(await status(a)).toMatchObject({
      is_running: false,
      processed: 4200,
      result: { added_count: 4200, ignored_count: 0 },
    })
    expect((await b.deps.store.countKeys(gid)).total).toBe(4200)
    // The dead driver's late writes are fenced out.
    expect(await a.deps.store.saveTaskStatus('dead', { ...state.status!, processed: 1 })).toBe(
      false,
    )
  })

  it('imports 100,000 keys in budgets', async () => {
    const t = await open({ config: { taskBudget: { ms: 250, chunks: 1000 } } })
    const gid = await groupOn(t)
    const keys = makeKeys(100_000)
    const began = performance.now()
    const res = await t.api('POST', '/api/keys/add-async', {
      group_id: gid,
      keys_text: keys.join('\n'),
    })
    expect(res.status).toBe(200)
    await t.settle()
    let drives = 1
    while ((await status(t)).is_running) {
      expect(await t.core.tasks.drive()).toMatch(/done|paused/)
      drives++
    }
    const ms = performance.now() - began
    console.log(`100k import: ${Math.round(ms)} ms in ${drives} drives of 250 ms`)
    expect(await status(t)).toMatchObject({
      processed: 100_000,
      result: { added_count: 100_000, ignored_count: 0 },
    })
    expect((await t.deps.store.countKeys(gid)).total).toBe(100_000)
    expect(drives).toBeGreaterThan(1)
  }, 30_000)
})

describe('a validation driven in budgets', () => {
  it('moves its cursor past the keys checked when a budget ends within a chunk', async () => {
    const up = await startFakeUpstream()
    try {
      up.setBehaviour({ default: { delayMs: 40 } })
      const t = await open({ fetch: undefined, config: { taskBudget: { ms: 100, chunks: 100 } } })
      const gid = await t.createGroup(
        {
          name: 'slow',
          channel_type: 'openai',
          upstreams: [{ url: up.url, weight: 1 }],
          config: { key_validation_concurrency: 2 },
        },
        makeKeys(24, 'v'),
      )
      await t.api('POST', '/api/keys/validate-group', { group_id: gid })
      await t.settle()
      let drives = 1
      const seen: number[] = []
      for (let s = await status(t); s.is_running; s = await status(t)) {
        seen.push(s.processed)
        await t.core.tasks.drive()
        drives++
        expect(drives).toBeLessThan(40)
      }
      // 24 checks of 40 ms, two at a time, take about 480 ms: more than one 100 ms budget even
      // when a loaded machine stretches one.
      expect(drives).toBeGreaterThan(1)
      expect([...seen].sort((a, b) => a - b)).toEqual(seen)
      expect(await status(t)).toMatchObject({
        processed: 24,
        result: { total_keys: 24, valid_keys: 24, invalid_keys: 0 },
      })
      // Keys in flight when a budget ends are finished first: none is checked twice.
      expect(up.requests).toHaveLength(24)
    } finally {
      await up.close()
    }
  })
})

describe('the task input', () => {
  it('is sealed at rest when keys are encrypted', async () => {
    const t = await open({
      config: {
        encryptionKey: 'tasks-sealed-Qa1@Ws2#Ed3$Rf4%',
        taskBudget: { ms: 60_000, chunks: 1 },
      },
    })
    const gid = await groupOn(t)
    await t.api('POST', '/api/keys/add-async', {
      group_id: gid,
      keys_text: makeKeys(1500).join('\n'),
    })
    await t.settle()
    // The raw store, under the sealing one.
    const stored = (await t.deps.store.getTaskInput(1))!
    expect(stored.startsWith('enc:v1:')).toBe(true)
    expect(stored).not.toContain('sk-k-')
    expect(await t.core.tasks.drive()).toBe('done')
    expect(await status(t)).toMatchObject({ result: { added_count: 1500, ignored_count: 0 } })
    const [key] = (await t.core.deps.store.listKeys({ group_id: gid, page: 1, page_size: 1 })).items
    expect(key.key_value).toMatch(/^sk-k-/)
  })
})

describe('the driver over the store', () => {
  it('renews its lease per chunk while a task outlives it', async () => {
    const t = await open()
    const gid = await groupOn(t)
    // Long enough that a loaded machine does not stretch one chunk past it.
    const runner = createTaskRunner(t.core, { leaseMs: 1000 })
    const spec = { type: 'KEY_IMPORT' as const, groupId: gid, groupName: 'main' }
    // Each chunk a little slower than a third of the lease: only renewals keep it.
    const store: Store = t.core.deps.store
    const getTaskInput = store.getTaskInput
    store.getTaskInput = async (seq) => (await sleep(400), getTaskInput(seq))
    try {
      await runner.start({ ...spec, total: 10_000, keys: makeKeys(10_000) })
      // Past the first lease: only renewals can still hold it.
      await sleep(1500)
      await expect(
        t.core.tasks.start({ ...spec, total: 1, keys: ['sk-x-1'] }),
      ).rejects.toMatchObject({ status: 409 })
      await t.settle()
    } finally {
      store.getTaskInput = getTaskInput
    }
    expect(await runner.status()).toMatchObject({
      is_running: false,
      result: { added_count: 10_000 },
    })
  })

  it('saves the status once per chunk, plus start and finish', async () => {
    const t = await open()
    const gid = await groupOn(t)
    const writes: number[] = []
    const store = t.core.deps.store
    const save = store.saveTaskStatus
    store.saveTaskStatus = (owner, s, job) => (writes.push(s.processed), save(owner, s, job))
    await t.api('POST', '/api/keys/add-async', {
      group_id: gid,
      keys_text: makeKeys(20_000).join(' '),
    })
    await t.settle()
    store.saveTaskStatus = save
    // 19 cursors between the 20 chunks, and the final status.
    expect(writes).toHaveLength(20)
    expect([...writes].sort((x, y) => x - y)).toEqual(writes)
    expect(writes.at(-1)).toBe(20_000)
  })
})
