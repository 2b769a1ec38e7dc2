// A 100k-key import inside workerd as a deployment with Upstash runs it: D1, the key pool in
// Upstash, the Workers entry's budget per invocation. The starting request drives one budget;
// each later invocation (a request's duties, or the cron) drives the next from the cursor, while
// the task status shows the progress the console polls. Prints how long the work takes.
import { env } from 'cloudflare:workers'
import { drizzle } from 'drizzle-orm/d1'
import { expect, it } from 'vitest'
import { TASK_BUDGET } from '../../adapters/workers/index'
import { openShared } from '../../adapters/workers/shared'
import { createSqlCoordination } from '../../src/coord/sql'
import { runNodeJobs } from '../../src/jobs/run-due'
import * as schema from '../../src/store/schema.sqlite'
import { createSqlStore } from '../../src/store/sql'
import { testCoreConfig } from './core-config'
import { upstashTestEnv } from './provided'
import { startTaskApp } from './task-app'

const N = 100_000

it('finishes a 100k-key import over a few invocations, its progress visible', async () => {
  const upstash = upstashTestEnv()
  // Real time, plus the gaps between invocations the test skips over.
  let skipped = 0
  const now = () => Date.now() + skipped
  const db = drizzle(env.DB, { schema })
  const shared = openShared(
    { UPSTASH_REDIS_REST_URL: upstash.url, UPSTASH_REDIS_REST_TOKEN: upstash.token },
    createSqlCoordination(db, now),
    upstash.prefix,
  )
  const { core, request, settle, createGroup } = await startTaskApp(
    {
      store: createSqlStore(db),
      pool: shared.pool,
      coord: shared.coord,
      now,
      config: { ...testCoreConfig(env.AUTH_KEY), maxBodyBytes: 8 << 20, taskBudget: TASK_BUDGET },
    },
    env.AUTH_KEY,
  )
  const gid = await createGroup('bulk')
  const keys = Array.from({ length: N }, (_, i) => `sk-w-${String(i).padStart(8, '0')}-abc`)
  const t0 = performance.now()
  await request('/api/keys/add-async', { group_id: gid, keys_text: keys.join('\n') })
  await settle()
  const work = [performance.now() - t0]
  const progress: number[] = [(await request('/api/tasks/status')).processed]
  while ((await request('/api/tasks/status')).is_running) {
    skipped += 2_000
    const t = performance.now()
    await runNodeJobs(core, now())
    await settle()
    work.push(performance.now() - t)
    progress.push((await request('/api/tasks/status')).processed)
    expect(work.length).toBeLessThan(10)
  }
  const total = work.reduce((a, b) => a + b, 0)
  console.log(
    `100k import on D1 + Upstash: ${work.length} invocations, ` +
      `${(total / 1000).toFixed(1)} s of work (${work.map((ms) => (ms / 1000).toFixed(1)).join(' + ')} s), ` +
      `progress after each: ${progress.join(', ')}`,
  )
  // Progress moved after every invocation, and each stayed within the budget (plus a chunk).
  for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThan(progress[i - 1]!)
  expect(await request('/api/tasks/status')).toMatchObject({
    processed: N,
    result: { added_count: N, ignored_count: 0 },
  })
  expect((await createSqlStore(db).countKeys(gid)).total).toBe(N)
  expect((await shared.pool.counts(gid, now())).active).toBe(N)
}, 120_000)
