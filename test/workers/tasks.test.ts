// Key tasks inside workerd on D1, as the Workers entry runs them: the starting request drives one
// budget, and runNodeJobs (cron or later requests) continues the task from its cursor until a
// 20k-key import is done. Also counts the D1 statements each budget costs (D1 allows 1000 per
// invocation).
import { env } from 'cloudflare:workers'
import { drizzle } from 'drizzle-orm/d1'
import { expect, it } from 'vitest'
import { createSqlCoordination } from '../../src/coord/sql'
import { runNodeJobs } from '../../src/jobs/run-due'
import { createMemoryKeyPool } from '../../src/keys/pool-memory'
import * as schema from '../../src/store/schema.sqlite'
import { createSqlStore } from '../../src/store/sql'
import { testCoreConfig } from './core-config'
import { countingDb } from './counting-db'
import { startTaskApp } from './task-app'

const AUTH = env.AUTH_KEY
const statements: string[] = []

it('finishes a 20k-key import in budgets driven by later invocations', async () => {
  let clock = 1_800_000_000_000
  const db = drizzle(countingDb(env.DB, statements), { schema })
  const { core, request, settle, createGroup } = await startTaskApp(
    {
      store: createSqlStore(db),
      pool: createMemoryKeyPool(),
      coord: createSqlCoordination(db, () => clock),
      now: () => clock,
      config: {
        ...testCoreConfig(AUTH),
        maxBodyBytes: 4 << 20,
        taskBudget: { ms: 10_000, chunks: 4 },
      },
    },
    AUTH,
  )
  const gid = await createGroup('tasks')
  const keys = Array.from({ length: 20_000 }, (_, i) => `sk-w-${String(i).padStart(8, '0')}-abc`)
  expect(
    await request('/api/keys/add-async', { group_id: gid, keys_text: keys.join('\n') }),
  ).toMatchObject({ is_running: true, total: 20_000 })
  await settle()
  let invocations = 1
  const perDrive: number[] = []
  while ((await request('/api/tasks/status')).is_running) {
    clock += 5_000
    statements.length = 0
    await runNodeJobs(core, clock)
    await settle()
    perDrive.push(statements.length)
    invocations++
    expect(invocations).toBeLessThan(20)
  }
  console.log(`20k import on D1: ${invocations} invocations, D1 statements per drive: ${perDrive}`)
  expect(invocations).toBe(5)
  expect(await request('/api/tasks/status')).toMatchObject({
    processed: 20_000,
    result: { added_count: 20_000, ignored_count: 0 },
  })
  expect((await createSqlStore(db).countKeys(gid)).total).toBe(20_000)
  expect(Math.max(...perDrive)).toBeLessThan(1000)
})
