// Key-pick cost at 100k keys in one group: the memory pool, the Redis pool as a node uses it
// (openRedis: auto-pipelining; wrapSharedPool) and, as the Redis pool's direct twin, a trivial
// script's round trip on the same client. Sequential calls give µs per pick (latency); callers
// looping at once give picks/s (throughput).
// `npm run bench` runs it through the CLI below, pinned to the proxy's CPU:
//   node --import tsx bench/pick.ts '{"redisUrl":"redis://127.0.0.1:6379"}'
// prints `{"rows": PickRow[]}`. bench/pool-redis.ts prints the same table and more.
import { once } from 'node:events'
import { Redis } from 'ioredis'
import { pathToFileURL } from 'node:url'
import { createRedisEval, openRedis } from '../adapters/node/redis'
import { VERSION_GET } from '../src/coord/lua/scripts.gen'
import { createMemoryKeyPool } from '../src/keys/pool-memory'
import { createRedisKeyPool } from '../src/keys/pool-redis'
import { wrapSharedPool } from '../src/keys/pool-shared'
import type { PoolKeyRow } from '../src/store/types'
import { dropRedisPrefix, freshRedisPrefix, REDIS_TEST_URL } from '../test/helpers/redis'

export interface PickOptions {
  /** Default REDIS_TEST_URL, or redis://127.0.0.1:6379. */
  redisUrl?: string
  keys?: number
  /** Sequential Redis calls; the memory pool makes 10 times as many. */
  calls?: number
  concurrency?: number
}

export interface PickRow {
  name: string
  /** µs per call, one call at a time. */
  seqUs: number
  /** Calls per second with `concurrency` callers. */
  perSecond: number
}

/** A pick's `now`: any fixed instant will do, as nothing cools. */
export const T0 = 1_700_000_000_000

/** `n` active keys as the store hands them to the pool. */
export const poolRows = (n: number): PoolKeyRow[] =>
  Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    key_value: `enc:v1:salt:sealed-${i + 1}`,
    key_hash: `h${i + 1}`,
    status: 'active' as const,
    failure_count: 0,
  }))

/** µs per call of `f`, `calls` calls one after another. */
export const sequentialUs = async (calls: number, f: (i: number) => Promise<unknown>) => {
  const t = performance.now()
  for (let i = 0; i < calls; i++) await f(i)
  return ((performance.now() - t) / calls) * 1000
}

/** Calls per second of `f` with `concurrency` callers looping until `calls` calls are made. */
export const concurrentPerSecond = async (
  calls: number,
  concurrency: number,
  f: () => Promise<unknown>,
) => {
  let left = calls
  const caller = async () => {
    while (left-- > 0) await f()
  }
  const t = performance.now()
  await Promise.all(Array.from({ length: concurrency }, caller))
  return calls / ((performance.now() - t) / 1000)
}

/** A Redis client as a node opens it, ready (it queues nothing while connecting). */
export const nodeRedisClient = async (url: string) => {
  const client = await openRedis(url)
  if (client.status !== 'ready') await once(client, 'ready')
  return client
}

export const measurePicks = async (opts: PickOptions): Promise<PickRow[]> => {
  const { redisUrl = REDIS_TEST_URL, keys = 100_000, calls = 5000, concurrency = 64 } = opts
  const rows = poolRows(keys)
  const out: PickRow[] = []
  const measure = async (name: string, n: number, f: () => Promise<unknown>) => {
    await sequentialUs(Math.min(n, 1000), f) // warm-up: JIT, and the script cache for Redis
    out.push({
      name,
      seqUs: await sequentialUs(n, f),
      perSecond: await concurrentPerSecond(n * 4, concurrency, f),
    })
  }

  const memory = createMemoryKeyPool()
  await memory.add(1, rows)
  await measure(`memory pool, ${keys} keys`, calls * 10, () => memory.pick(1, T0))

  const prefix = freshRedisPrefix()
  const client = await nodeRedisClient(redisUrl)
  // The keys go in through a client without the node's 1.5 s command timeout: a busy Redis may
  // take longer over a 2000-key chunk.
  const setup = new Redis(redisUrl)
  try {
    await createRedisKeyPool(createRedisEval(setup), prefix).add(1, rows)
    const redis = createRedisEval(client)
    const pool = wrapSharedPool(createRedisKeyPool(redis, prefix))
    await measure(`Redis pool, ${keys} keys`, calls, () => pool.pick(1, T0))
    await measure('Redis trivial script (the floor)', calls, () =>
      redis.eval(VERSION_GET, [`${prefix}v`], []),
    )
  } finally {
    await client.quit()
    await setup.quit()
    await dropRedisPrefix(prefix, redisUrl)
  }
  return out
}

export const pickTable = (rows: PickRow[], concurrency = 64) => {
  const head = ['key pick', 'µs/pick (sequential)', `picks/s (${concurrency} callers)`]
  const body = rows.map((r) => [r.name, r.seqUs.toFixed(1), r.perSecond.toFixed(0)])
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)))
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n')
}

export const pickMarkdown = (rows: PickRow[], concurrency = 64) =>
  [
    `| key pick | µs/pick (sequential) | picks/s (${concurrency} callers) |`,
    '|---|---:|---:|',
    ...rows.map((r) => `| ${r.name} | ${r.seqUs.toFixed(1)} | ${r.perSecond.toFixed(0)} |`),
  ].join('\n')

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await measurePicks(JSON.parse(process.argv[2] ?? '{}') as PickOptions)
  process.stdout.write(`${JSON.stringify({ rows })}\n`)
}
