// `npx tsx bench/pool-redis.ts`: the Redis KeyPool's costs at 100k keys in one group, on
// REDIS_TEST_URL (default 127.0.0.1:6379), under a fresh prefix removed afterwards. Sequential
// calls show latency (a round trip plus the script); a trivial script's round trip is the floor.
import { Redis } from 'ioredis'
import { createRedisEval } from '../adapters/node/redis'
import { VERSION_GET } from '../src/coord/lua/scripts.gen'
import { createRedisKeyPool } from '../src/keys/pool-redis'

const URL = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379'
const N = 100_000
const T0 = 1_700_000_000_000
const prefix = `edgeload-bench:${crypto.randomUUID()}:`
const client = new Redis(URL)
const redis = createRedisEval(client)
const pool = createRedisKeyPool(redis, prefix)
const policy = { blacklistThreshold: 3 }

const time = async (label: string, calls: number, f: (i: number) => Promise<unknown>) => {
  const t = performance.now()
  for (let i = 0; i < calls; i++) await f(i)
  const ms = performance.now() - t
  console.log(`${label}: ${((ms / calls) * 1000).toFixed(0)} µs per call (${calls} calls)`)
}

try {
  const rows = Array.from({ length: N }, (_, i) => ({
    id: i + 1,
    key_value: `enc:v1:salt:sealed-${i + 1}`,
    key_hash: `h${i + 1}`,
    status: 'active' as const,
    failure_count: 0,
  }))
  let t = performance.now()
  await pool.add(1, rows)
  console.log(`add ${N} keys: ${(performance.now() - t).toFixed(0)} ms`)
  await time('trivial script (the floor)', 5000, () => redis.eval(VERSION_GET, [`${prefix}v`], []))
  await time('pick, none cooling', 5000, () => pool.pick(1, T0))
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
  t = performance.now()
  await Promise.all(Array.from({ length: 20_000 }, () => pool.pick(1, T0 + 10_000)))
  console.log(`20k concurrent picks: ${(performance.now() - t).toFixed(0)} ms`)
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
  const keys = await client.keys(`${prefix}*`)
  if (keys.length > 0) await client.del(...keys)
  await client.quit()
}
