// `npx tsx bench/pool-redis.ts`: the Redis KeyPool's costs at 100k keys in one group, on
// REDIS_TEST_URL (default 127.0.0.1:6379), under a fresh prefix removed afterwards. First the
// pick table that `npm run bench` prints too (memory pool, Redis pool, a trivial script's round
// trip: the floor), then what else the Redis pool costs: adds, reports, picks past cooling and
// marked keys, re-admission and clearing. Sequential calls show latency (a round trip plus the
// script).
import { Redis } from 'ioredis'
import { REDIS_TEST_URL, dropRedisPrefix, freshRedisPrefix } from '../test/helpers/redis'
import { createRedisEval } from '../adapters/node/redis'
import { createRedisKeyPool } from '../src/keys/pool-redis'
import { measurePicks, pickTable, poolRows, sequentialUs, T0 } from './pick'

const N = 100_000

console.log(`${pickTable(await measurePicks({ redisUrl: REDIS_TEST_URL, keys: N }))}\n`)

const prefix = freshRedisPrefix()
const client = new Redis(REDIS_TEST_URL)
const pool = createRedisKeyPool(createRedisEval(client), prefix)
const policy = { blacklistThreshold: 3 }

const time = async (label: string, calls: number, f: (i: number) => Promise<unknown>) => {
  const us = await sequentialUs(calls, f)
  console.log(`${label}: ${us.toFixed(0)} µs per call (${calls} calls)`)
}

try {
  let t = performance.now()
  await pool.add(1, poolRows(N))
  console.log(`add ${N} keys: ${(performance.now() - t).toFixed(0)} ms`)
  await time('report 429 (cools the key)', 5000, (i) =>
    pool.report(1, i + 1, { kind: 'rate_limited', until: T0 + 1000 + i }, policy, T0),
  )
  const model = { kind: 'rate_limited', until: T0 + 60_000, model: 'm' } as const
  await time('report 429 for a model', 1000, (i) => pool.report(1, 10_000 + i, model, policy, T0))
  await time('pick, 5k cooling', 5000, () => pool.pick(1, T0))
  await time('pick for the model (1k marked), 2 excluded', 500, () =>
    pool.pick(1, T0, new Set([1, 2]), 'm'),
  )
  t = performance.now()
  await pool.counts(1, T0 + 10_000)
  console.log(`re-admit 5k ended cooldowns in one call: ${(performance.now() - t).toFixed(0)} ms`)
  // Every key depleted: no key is best, and the pick knows it without walking them all.
  const depleted = { kind: 'success', depleted: { until: T0 + 3_600_000 } } as const
  for (let from = 1; from <= N; from += 5000) {
    const ids = Array.from({ length: 5000 }, (_, i) => from + i)
    await Promise.all(ids.map((id) => pool.report(1, id, depleted, policy, T0 + 10_000)))
  }
  await time('pick with every key depleted', 1000, () => pool.pick(1, T0 + 10_000))
  t = performance.now()
  await pool.clearGroup(1)
  console.log(`clearGroup of ${N}: ${(performance.now() - t).toFixed(0)} ms`)
} finally {
  await client.quit()
  await dropRedisPrefix(prefix, REDIS_TEST_URL)
}
