// Runs the KeyPool contract on the real Redis (127.0.0.1:6379, or REDIS_TEST_URL) through
// ioredis, plus the 100k-key costs. Every pool gets a fresh key prefix under this run's
// `edgeload-test:<uuid>:`, and the run's keys are deleted afterwards.
import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { createRedisEval } from '../adapters/node/redis'
import { createRedisCoordination } from '../src/coord/redis'
import { VERSION_CONFIG } from '../src/coord/types'
import { createRedisKeyPool } from '../src/keys/pool-redis'
import type { Outcome } from '../src/keys/pool'
import type { PoolKeyRow } from '../src/store/types'
import { testKeyPool } from './keypool.contract'

const URL = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379'
const RUN = `edgeload-test:${crypto.randomUUID()}:`
const client = new Redis(URL, { maxRetriesPerRequest: 1 })
let pools = 0
const make = async () => createRedisKeyPool(createRedisEval(client), `${RUN}${++pools}:`)

afterAll(async () => {
  let cursor = '0'
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${RUN}*`, 'COUNT', 10_000)
    if (keys.length > 0) await client.unlink(...keys)
    cursor = next
  } while (cursor !== '0')
  await client.quit()
})

testKeyPool('Redis', make, { bulkAddMs: 5000 })

const T0 = 1_700_000_000_000
const rows = (n: number): PoolKeyRow[] =>
  Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    key_value: `enc:v1:salt:sealed-${i + 1}`,
    key_hash: `h${i + 1}`,
    status: 'active',
    failure_count: 0,
  }))

describe('KeyPool on Redis at 100k keys', () => {
  it('picks in O(log n) with most keys cooling, and counts them right', async () => {
    const pool = await make()
    let t = performance.now()
    await pool.add(1, rows(100_000))
    const addMs = performance.now() - t
    // Cools all but the last key, each with its own end; concurrent calls share the connection.
    const policy = { blacklistThreshold: 3 }
    t = performance.now()
    for (let from = 1; from < 100_000; from += 5000) {
      const ids = Array.from({ length: Math.min(5000, 100_000 - from) }, (_, i) => from + i)
      await Promise.all(
        ids.map((id) => pool.report(1, id, { kind: 'rate_limited', until: T0 + id }, policy, T0)),
      )
    }
    const coolMs = performance.now() - t
    expect(await pool.counts(1, T0)).toEqual({ active: 1, cooling: 99_999, invalid: 0 })
    t = performance.now()
    for (let i = 0; i < 2000; i++) expect((await pool.pick(1, T0))?.id).toBe(100_000)
    const pickMs = performance.now() - t
    // 2,000 picks over a 100k pool: a scan per pick would take minutes.
    expect(pickMs).toBeLessThan(3000)
    // Half the cooldowns have ended: the one pick that finds them re-admits them all.
    t = performance.now()
    expect(await pool.counts(1, T0 + 50_000)).toEqual({
      active: 50_001,
      cooling: 49_999,
      invalid: 0,
    })
    const readmitMs = performance.now() - t
    t = performance.now()
    for (let i = 0; i < 2000; i++) await pool.pick(1, T0 + 50_000, new Set([1, 2]), 'm')
    const markedPickMs = performance.now() - t
    console.log(
      `Redis 100k: add ${addMs.toFixed(0)} ms, 99,999 reports ${coolMs.toFixed(0)} ms, ` +
        `pick ${((pickMs / 2000) * 1000).toFixed(0)} µs, readmit of 50k ${readmitMs.toFixed(0)} ms, ` +
        `pick with exclude+model ${((markedPickMs / 2000) * 1000).toFixed(0)} µs`,
    )
  }, 60_000)
})

describe('KeyPool on Redis at 100k keys cooling for one model', () => {
  it('tells at once that none is usable for the model, and when one is back', async () => {
    const pool = await make()
    await pool.add(1, rows(100_000))
    const policy = { blacklistThreshold: 3 }
    const report = async (ids: number[], outcome: (id: number) => Outcome) => {
      for (let i = 0; i < ids.length; i += 5000) {
        const chunk = ids.slice(i, i + 5000)
        await Promise.all(chunk.map((id) => pool.report(1, id, outcome(id), policy, T0)))
      }
    }
    const all = Array.from({ length: 100_000 }, (_, i) => i + 1)
    await report(all, (id) => ({ kind: 'rate_limited', until: T0 + 100_000 + id, model: 'm' }))
    // A fifth also cools key-wide, for longer than its cooldown for the model.
    await report(all.slice(0, 20_000), (id) => ({ kind: 'rate_limited', until: T0 + 500_000 + id }))
    expect(await pool.counts(1, T0)).toEqual({ active: 80_000, cooling: 20_000, invalid: 0 })
    let t = performance.now()
    for (let i = 0; i < 500; i++) expect(await pool.pick(1, T0, undefined, 'm')).toBeNull()
    for (let i = 0; i < 500; i++) expect(await pool.earliestReset(1, T0, 'm')).toBe(T0 + 120_001)
    const ms = performance.now() - t
    // A walk over the 80k marked active keys per call blows this bound many times over.
    expect(ms).toBeLessThan(3000)
    expect((await pool.pick(1, T0, undefined, 'other'))?.id).toBe(20_001)
    // Back for the model: key 20,001 first; the key-wide cooling ones only at their own end.
    expect((await pool.pick(1, T0 + 120_001, undefined, 'm'))?.id).toBe(20_001)
    expect(await pool.earliestReset(1, T0 + 200_000, 'm')).toBe(T0 + 500_001)
    console.log(
      `Redis 100k marked: pick + earliestReset for the model ${((ms / 1000) * 1000).toFixed(0)} µs`,
    )
  }, 60_000)
})

describe('what a pick brings back', () => {
  const counted = () => {
    const inner = createRedisEval(client)
    const calls = { n: 0 }
    return {
      calls,
      redis: { eval: (s: string, k: string[], a: string[]) => (calls.n++, inner.eval(s, k, a)) },
    }
  }
  const policy = { minKeys: 3, windowMs: 10_000, openMs: 30_000 }
  const R = 'https://up.test'

  it('no watched route: the circuit view costs no round trip until another node watches one', async () => {
    const prefix = `${RUN}${++pools}:`
    const a = counted()
    const poolA = createRedisKeyPool(a.redis, prefix)
    const poolB = createRedisKeyPool(createRedisEval(client), prefix)
    await poolA.add(1, rows(3))
    await poolA.pick(1, T0)
    a.calls.n = 0
    expect(await poolA.circuits(T0 + 1)).toBeNull()
    expect(a.calls.n).toBe(0)
    // Another node's failure makes the route watched; A's next pick learns it, and reads.
    await poolB.routeFailure(R, 'rate_limit', { groupId: 1, keyId: 1, charged: true }, policy, T0)
    await poolA.pick(1, T0 + 2)
    expect((await poolA.circuits(T0 + 3))?.get(R)).toMatchObject({ state: 'closed' })
    expect(a.calls.n).toBe(2)
    // A failure of its own also ends the quiet at once.
    await poolB.routeSuccess(R)
    await poolA.pick(1, T0 + 4)
    await poolA.routeFailure(R, 'connect', { groupId: 1, keyId: 2, charged: false }, policy, T0 + 5)
    expect((await poolA.circuits(T0 + 6))?.get(R)).toMatchObject({ state: 'closed' })
  })

  it('reports the config version under the same prefix with every pick', async () => {
    const prefix = `${RUN}${++pools}:`
    const seen: number[] = []
    const pool = createRedisKeyPool(createRedisEval(client), prefix, {
      onConfigVersion: (v) => seen.push(v),
    })
    await pool.add(1, rows(2))
    await pool.pick(1, T0)
    await createRedisCoordination(createRedisEval(client), prefix).bump(VERSION_CONFIG)
    await pool.pick(1, T0)
    expect(seen).toEqual([0, 1])
  })
})
