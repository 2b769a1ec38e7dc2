// Key tasks across nodes (src/keys/tasks.ts over task_state): two real gateways on one SQLite file. A
// task started on one node blocks starts on the other, its progress shows on both, a node that
// shuts down hands its task over, and a pre-upgrade crashed task's lease lapses by itself. The
// driver's own tests (budgets, resuming, renewals, writes) are in test/tasks-resume.test.ts.
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSqlCoordination } from '../src/coord/sql'
import { LEASE_TASK } from '../src/coord/types'
import { openSqlite } from '../adapters/node/db'
import type { TaskStatus } from '../src/keys/tasks'
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream'
import { startTestGateway, type TestGateway } from './helpers/gateway'
import { dropRedisPrefix, freshRedisPrefix, redisTestEnv } from './helpers/redis'
import { eventually, sleep } from './helpers/wait'

type Status = { status: number; body: { data: TaskStatus; code?: string } }

const status = async (node: TestGateway) =>
  (await node.admin<Status['body']>('GET', '/api/tasks/status')).body.data
const addAsync = (node: TestGateway, groupId: number, keys: string) =>
  node.admin<Status['body']>('POST', '/api/keys/add-async', {
    group_id: groupId,
    keys_text: keys,
  })

/** One task in a cluster of `a` and `b`: the other node refuses a second and shows progress. */
const runsOneTask = async (a: TestGateway, b: TestGateway, up: FakeUpstream, name: string) => {
  const keys = Array.from({ length: 10 }, (_, i) => `sk-cluster-${i}-0123456789`)
  const gid = await a.createGroup(
    {
      name,
      upstreams: [{ url: up.url, weight: 1 }],
      config: { key_validation_concurrency: 1 },
    },
    keys,
  )
  // One key at a time, 250 ms each: a 2.5 s task, long enough for throttled progress writes.
  up.setBehaviour({ default: { delayMs: 250 } })
  const started = await a.admin<Status['body']>('POST', '/api/keys/validate-group', {
    group_id: gid,
  })
  expect(started.status).toBe(200)

  const refused = await addAsync(b, gid, 'sk-other-0123456789')
  expect(refused).toMatchObject({ status: 409, body: { code: 'TASK_IN_PROGRESS' } })

  // Node B reads A's task from the store, progress included.
  const seen = await eventually(async () => {
    const s = await status(b)
    expect(s).toMatchObject({
      task_type: 'KEY_VALIDATION',
      is_running: true,
      group_name: name,
    })
    expect(s.total).toBe(10)
    expect(s.processed).toBeGreaterThan(0)
    return s
  }, 5000)
  expect(seen.processed).toBeLessThan(10)

  const done = await eventually(async () => {
    const s = await status(b)
    expect(s.is_running).toBe(false)
    return s
  }, 10_000)
  const result = { total_keys: 10, valid_keys: 10, invalid_keys: 0 }
  expect(done).toMatchObject({ processed: 10, total: 10, result })
  expect(await status(a)).toEqual(done)
  up.setBehaviour({ default: null })

  // Free again: now B runs a task and A sees it.
  expect((await addAsync(b, gid, 'sk-from-b-0123456789')).status).toBe(200)
  const fromB = await eventually(async () => {
    const s = await status(a)
    expect(s).toMatchObject({ task_type: 'KEY_IMPORT', is_running: false })
    return s
  })
  expect(fromB.result).toEqual({ added_count: 1, ignored_count: 0 })
}

describe('two gateways on one database', () => {
  let up: FakeUpstream
  let a: TestGateway
  let b: TestGateway
  let dbPath: string
  beforeAll(async () => {
    up = await startFakeUpstream()
    a = await startTestGateway()
    dbPath = join(a.dir, 'edgeload.db')
    b = await startTestGateway({ DATABASE_DSN: dbPath })
  })
  afterAll(async () => {
    await b?.stop()
    await a?.stop()
    await up?.close()
  })

  it('runs one task in the cluster and shows its progress on every node', () =>
    runsOneTask(a, b, up, 'shared'))

  it('hands its task to another node at once when the node running it shuts down', async () => {
    const c = await startTestGateway({ DATABASE_DSN: dbPath })
    const gid = await c.createGroup(
      {
        name: 'stopping',
        upstreams: [{ url: up.url, weight: 1 }],
        config: { key_validation_concurrency: 1 },
      },
      Array.from({ length: 10 }, (_, i) => `sk-stop-${i}-0123456789`),
    )
    up.setBehaviour({ default: { delayMs: 300 } })
    try {
      const started = await c.admin('POST', '/api/keys/validate-group', { group_id: gid })
      expect(started.status).toBe(200)
      expect((await addAsync(b, gid, 'sk-x-0123456789')).status).toBe(409)
      await c.gw.shutdown()
      // No lease to wait out: the task stays running, and one of the others resumes it from its
      // cursor (here the start of its one chunk) and finishes it.
      expect(await status(b)).toMatchObject({ task_type: 'KEY_VALIDATION', is_running: true })
      expect((await addAsync(b, gid, 'sk-x-0123456789')).status).toBe(409)
      const done = await eventually(async () => {
        const s = await status(b)
        expect(s.is_running).toBe(false)
        return s
      }, 10_000)
      expect(done).toMatchObject({
        processed: 10,
        result: { total_keys: 10, valid_keys: 10, invalid_keys: 0 },
      })
      expect(done.error).toBeUndefined()
      expect((await addAsync(b, gid, 'sk-after-stop-0123456789')).status).toBe(200)
    } finally {
      up.setBehaviour({ default: null })
    }
  })

  it("frees a crashed node's lock when its lease lapses", async () => {
    const gid = await a.createGroup({
      name: 'after-crash',
      upstreams: [{ url: up.url, weight: 1 }],
    })
    // A node that took the lock and died: no renewals, no release.
    const ghost = await openSqlite(dbPath)
    const startedAt = Date.now()
    const crashed: TaskStatus = {
      task_type: 'KEY_IMPORT',
      is_running: true,
      group_name: 'after-crash',
      processed: 5,
      total: 50,
      started_at: new Date(startedAt).toISOString(),
    }
    const lease = 1500
    expect(await createSqlCoordination(ghost.db).acquire(LEASE_TASK, 'ghost', lease)).toBe(true)
    await ghost.store.startTask('ghost', crashed)
    await ghost.close()

    expect((await status(a)).is_running).toBe(true)
    expect((await addAsync(a, gid, 'sk-late-0123456789')).status).toBe(409)
    await sleep(startedAt + lease - Date.now() + 50)

    // Both nodes now report the task as interrupted, and a new one may start.
    expect(await status(b)).toMatchObject({
      is_running: false,
      processed: 5,
      error: expect.stringContaining('interrupted'),
    })
    expect((await addAsync(b, gid, 'sk-late-0123456789')).status).toBe(200)
    await eventually(async () => expect((await status(a)).result).toMatchObject({ added_count: 1 }))
  })

  it('lets exactly one of two stores on the file win a race to acquire', async () => {
    const x = await openSqlite(dbPath)
    const y = await openSqlite(dbPath)
    try {
      const coords = [x, y, x, y].map((h) => createSqlCoordination(h.db))
      const wins = await Promise.all(
        coords.map((c, i) => c.acquire(LEASE_TASK, `racer-${i}`, 60_000)),
      )
      expect(wins.filter(Boolean)).toHaveLength(1)
      const winner = `racer-${wins.indexOf(true)}`
      expect(await coords[0].release(LEASE_TASK, winner)).toBe(true)
    } finally {
      await x.close()
      await y.close()
    }
  })
})

describe('two gateways on one database and Redis', () => {
  const prefix = freshRedisPrefix()
  let up: FakeUpstream
  let a: TestGateway
  let b: TestGateway
  beforeAll(async () => {
    up = await startFakeUpstream()
    a = await startTestGateway(redisTestEnv(prefix))
    b = await startTestGateway({
      DATABASE_DSN: join(a.dir, 'edgeload.db'),
      ...redisTestEnv(prefix),
    })
  })
  afterAll(async () => {
    await b?.stop()
    await a?.stop()
    await up?.close()
    await dropRedisPrefix(prefix)
  })

  it('runs one task in the cluster, its lease in Redis, and shows its progress on every node', () =>
    runsOneTask(a, b, up, 'shared-redis'))
})
