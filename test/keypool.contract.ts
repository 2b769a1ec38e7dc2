// The KeyPool contract: one suite that every implementation (memory, Redis, Upstash) must pass.
// `make` must return a pool with no keys in it. Time is passed as `now`; no test uses real timers.
import { describe, expect, it } from 'vitest'
import type { KeyPolicy, KeyPool } from '../src/keys/pool'
import type { PoolKeyRow } from '../src/store/types'

export interface KeyPoolContractOptions {
  /** Budget for adding 100,000 keys in one call, in ms (remote pools need more than memory). */
  bulkAddMs?: number
}

const G = 1
const T0 = 1_700_000_000_000
const STRICT: KeyPolicy = { blacklistThreshold: 3 }
const NEVER: KeyPolicy = { blacklistThreshold: 0 }
const AUTH = { kind: 'auth_failure' } as const
const OK = { kind: 'success' } as const

// Stored values as a pool receives them with ENCRYPTION_KEY set: the pool must hand them back as
// they are, never anything it opened.
const sealed = (id: number) => `enc:v1:salt:sealed-${id}`

const rows = (n: number, from = 1): PoolKeyRow[] =>
  Array.from({ length: n }, (_, i) => ({
    id: from + i,
    key_value: sealed(from + i),
    key_hash: `h${from + i}`,
    status: 'active',
    failure_count: 0,
  }))

const picks = async (pool: KeyPool, n: number, now = T0, exclude?: ReadonlySet<number>) => {
  const ids: number[] = []
  for (let i = 0; i < n; i++) ids.push((await pool.pick(G, now, exclude))?.id ?? -1)
  return ids
}

const fail = async (pool: KeyPool, id: number, times: number, policy = STRICT) => {
  for (let i = 0; i < times; i++) await pool.report(G, id, AUTH, policy, T0)
}

export const testKeyPool = (
  name: string,
  make: () => Promise<KeyPool>,
  opts: KeyPoolContractOptions = {},
): void => {
  const setup = async (n: number) => {
    const pool = await make()
    await pool.add(G, rows(n))
    return pool
  }

  describe(`KeyPool contract: ${name}`, () => {
    it('rotates in add order, each key once per cycle', async () => {
      const pool = await setup(5)
      expect(await picks(pool, 15)).toEqual([1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2, 3, 4, 5])
      expect(await pool.pick(G, T0)).toEqual({ id: 1, hash: 'h1', stored: sealed(1), failures: 0 })
    })

    it('keeps the cycle fair when keys are added or removed mid-cycle', async () => {
      const pool = await setup(5)
      await picks(pool, 2)
      await pool.add(G, rows(1, 6))
      expect(new Set(await picks(pool, 6)).size).toBe(6)
      await pool.remove(G, [4])
      const cycle = await picks(pool, 10)
      expect(cycle.slice(0, 5).sort()).toEqual([1, 2, 3, 5, 6])
      expect(cycle.slice(5)).toEqual(cycle.slice(0, 5))
    })

    it('returns null for an empty or unknown group', async () => {
      const pool = await make()
      expect(await pool.pick(99, T0)).toBeNull()
      expect(await pool.report(99, 1, AUTH, STRICT, T0)).toBeNull()
      expect(await pool.counts(99, T0)).toEqual({ active: 0, cooling: 0, invalid: 0 })
      expect(await pool.invalidIds(99)).toEqual([])
      expect(await pool.restore(99, [1])).toEqual([])
    })

    it('skips excluded keys while others are usable', async () => {
      const pool = await setup(4)
      expect(await picks(pool, 6, T0, new Set([1, 3]))).toEqual([2, 4, 2, 4, 2, 4])
      expect(await picks(pool, 3, T0, new Set([1, 2, 4]))).toEqual([3, 3, 3])
      // Ids that are not usable do not stop the search for one that is.
      await fail(pool, 2, 3)
      expect(await picks(pool, 2, T0, new Set([1, 2, 3, 77]))).toEqual([4, 4])
    })

    it('reuses an excluded key only when all usable keys are excluded', async () => {
      const pool = await setup(3)
      const all = new Set([1, 2, 3])
      const got = await picks(pool, 6, T0, all)
      expect(got.every((id) => all.has(id))).toBe(true)
      await fail(pool, 1, 3)
      await fail(pool, 2, 3)
      expect(await picks(pool, 2, T0, new Set([3]))).toEqual([3, 3])
      await fail(pool, 3, 3)
      expect(await pool.pick(G, T0, new Set([3]))).toBeNull()
    })

    it('skips a cooling key and rejoins it after `until`', async () => {
      const pool = await setup(3)
      await fail(pool, 2, 1)
      const change = await pool.report(G, 2, { kind: 'rate_limited', until: T0 + 1000 }, STRICT, T0)
      expect(change).toEqual({
        id: 2,
        from: 'active',
        to: 'cooling',
        status: 'active',
        failure_count: 1,
        until: T0 + 1000,
      })
      expect(await picks(pool, 4, T0 + 999)).toEqual([1, 3, 1, 3])
      expect(await pool.counts(G, T0 + 999)).toEqual({ active: 2, cooling: 1, invalid: 0 })
      expect(new Set(await picks(pool, 3, T0 + 1000))).toEqual(new Set([1, 2, 3]))
      expect(await pool.counts(G, T0 + 1000)).toEqual({ active: 3, cooling: 0, invalid: 0 })
    })

    it('tells the first report after a cooldown when it ended, once', async () => {
      const pool = await setup(1)
      await pool.report(G, 1, { kind: 'rate_limited', until: T0 + 1000 }, STRICT, T0)
      expect(await pool.pick(G, T0 + 1500)).toMatchObject({ id: 1, rejoined: true })
      expect(await pool.report(G, 1, { kind: 'success' }, STRICT, T0 + 1600)).toEqual({
        id: 1,
        from: 'active',
        to: 'active',
        status: 'active',
        failure_count: 0,
        rejoined_at: T0 + 1000,
      })
      expect(await pool.report(G, 1, { kind: 'success' }, STRICT, T0 + 1700)).toBeNull()
      // A key still cooling has nothing to tell.
      await pool.report(G, 1, { kind: 'rate_limited', until: T0 + 5000 }, STRICT, T0 + 1800)
      const again = await pool.report(
        G,
        1,
        { kind: 'rate_limited', until: T0 + 6000 },
        STRICT,
        T0 + 1900,
      )
      expect(again?.rejoined_at).toBeUndefined()
    })

    it('returns null while every key cools, then recovers each at its own time', async () => {
      const pool = await setup(2)
      await pool.report(G, 1, { kind: 'rate_limited', until: T0 + 500 }, STRICT, T0)
      await pool.report(G, 2, { kind: 'rate_limited', until: T0 + 100 }, STRICT, T0)
      expect(await pool.pick(G, T0 + 99)).toBeNull()
      expect(await picks(pool, 2, T0 + 100)).toEqual([2, 2])
      expect(new Set(await picks(pool, 2, T0 + 500))).toEqual(new Set([1, 2]))
    })

    it('keeps the later end when a cooling key is rate limited again', async () => {
      const pool = await setup(1)
      await pool.report(G, 1, { kind: 'rate_limited', until: T0 + 500 }, STRICT, T0)
      const again = await pool.report(G, 1, { kind: 'rate_limited', until: T0 + 200 }, STRICT, T0)
      expect(again).toMatchObject({ from: 'cooling', to: 'cooling', until: T0 + 500 })
      expect(await pool.pick(G, T0 + 300)).toBeNull()
      // Back after its cooldown: the pick says so, so that even a success gets reported.
      expect(await pool.pick(G, T0 + 500)).toEqual({
        id: 1,
        hash: 'h1',
        stored: sealed(1),
        failures: 0,
        rejoined: true,
      })
    })

    it('blacklists at the threshold and ignores later reports', async () => {
      const pool = await setup(3)
      const a = await pool.report(G, 2, AUTH, STRICT, T0)
      const b = await pool.report(G, 2, AUTH, STRICT, T0)
      expect([a?.failure_count, a?.to, b?.failure_count, b?.to]).toEqual([1, 'active', 2, 'active'])
      const c = await pool.report(G, 2, AUTH, STRICT, T0)
      expect(c).toEqual({
        id: 2,
        from: 'active',
        to: 'invalid',
        status: 'invalid',
        failure_count: 3,
      })
      expect(await picks(pool, 4)).not.toContain(2)
      expect(await pool.invalidIds(G)).toEqual([2])
      expect(await pool.report(G, 2, AUTH, STRICT, T0)).toBeNull()
      expect(await pool.report(G, 2, OK, STRICT, T0)).toBeNull()
      expect(await pool.counts(G, T0)).toEqual({ active: 2, cooling: 0, invalid: 1 })
    })

    it('blacklists a cooling key that reaches the threshold', async () => {
      const pool = await setup(2)
      await pool.report(G, 1, { kind: 'rate_limited', until: T0 + 1000 }, STRICT, T0)
      await fail(pool, 1, 3)
      expect(await pool.counts(G, T0)).toEqual({ active: 1, cooling: 0, invalid: 1 })
      expect(await picks(pool, 3, T0 + 2000)).toEqual([2, 2, 2])
    })

    it('never blacklists with threshold 0, but still counts', async () => {
      const pool = await setup(2)
      await fail(pool, 1, 9, NEVER)
      const last = await pool.report(G, 1, AUTH, NEVER, T0)
      expect(last).toMatchObject({ to: 'active', status: 'active', failure_count: 10 })
      expect(await picks(pool, 2)).toEqual([1, 2])
    })

    it('resets the count on success, and a plain success reports nothing', async () => {
      const pool = await setup(1)
      expect(await pool.report(G, 1, OK, STRICT, T0)).toBeNull()
      await fail(pool, 1, 2)
      expect(await pool.report(G, 1, OK, STRICT, T0)).toEqual({
        id: 1,
        from: 'active',
        to: 'active',
        status: 'active',
        failure_count: 0,
      })
      expect(await pool.report(G, 1, OK, STRICT, T0)).toBeNull()
      await fail(pool, 1, 2)
      expect(await pool.counts(G, T0)).toEqual({ active: 1, cooling: 0, invalid: 0 })
    })

    it('does not count a 429 towards the blacklist', async () => {
      const pool = await setup(1)
      await fail(pool, 1, 2)
      for (let i = 1; i <= 5; i++) {
        const ch = await pool.report(G, 1, { kind: 'rate_limited', until: T0 + i }, STRICT, T0)
        expect(ch?.failure_count).toBe(2)
      }
      expect(await pool.pick(G, T0 + 5)).not.toBeNull()
      expect(await pool.report(G, 1, AUTH, STRICT, T0 + 5)).toMatchObject({ to: 'invalid' })
    })

    it('loads state from rows; re-adding never undoes health', async () => {
      const pool = await make()
      await pool.add(G, [
        { id: 1, key_value: 'a', key_hash: 'h1', status: 'active', failure_count: 2 },
        { id: 2, key_value: 'b', key_hash: 'h2', status: 'invalid', failure_count: 5 },
        { id: 3, key_value: 'c', key_hash: 'h3', status: 'active', failure_count: 0 },
        { id: 4, key_value: 'd', key_hash: 'h4', status: 'active', failure_count: 0 },
      ])
      expect(await pool.invalidIds(G)).toEqual([2])
      expect(await pool.report(G, 1, AUTH, STRICT, T0)).toMatchObject({ to: 'invalid' })
      await pool.report(G, 3, { kind: 'rate_limited', until: T0 + 60_000 }, STRICT, T0)
      await pool.report(G, 4, AUTH, STRICT, T0)
      // Another node starts and re-adds every key from the store, which has not caught up yet.
      await pool.add(G, [
        { id: 1, key_value: 'a2', key_hash: 'h1', status: 'active', failure_count: 0 },
        { id: 2, key_value: 'b2', key_hash: 'h2', status: 'active', failure_count: 0 },
        { id: 3, key_value: 'c2', key_hash: 'h3', status: 'active', failure_count: 0 },
        { id: 4, key_value: 'd2', key_hash: 'h4', status: 'active', failure_count: 0 },
      ])
      expect(await pool.counts(G, T0)).toEqual({ active: 1, cooling: 1, invalid: 2 })
      expect((await pool.invalidIds(G)).sort()).toEqual([1, 2])
      // A re-added row brings the value as now stored (re-sealed, say) and its hash.
      expect(await pool.pick(G, T0)).toEqual({ id: 4, hash: 'h4', stored: 'd2', failures: 1 })
      // The cooldown ends when it was due, not when the key was re-added.
      expect(await pool.counts(G, T0 + 60_000)).toEqual({ active: 2, cooling: 0, invalid: 2 })
      // A row that says invalid is adopted; only restore() brings keys back.
      await pool.add(G, [
        { id: 4, key_value: 'd2', key_hash: 'h4', status: 'invalid', failure_count: 3 },
      ])
      expect(await pool.counts(G, T0 + 60_000)).toEqual({ active: 1, cooling: 0, invalid: 3 })
      expect((await pool.restore(G, [1, 2, 4])).sort()).toEqual([1, 2, 4])
      expect(await pool.counts(G, T0 + 60_000)).toEqual({ active: 4, cooling: 0, invalid: 0 })
    })

    it('cools for a default that doubles on 429s in a row and starts again after a success', async () => {
      const pool = await setup(1)
      const RL = { kind: 'rate_limited', until: null } as const
      const until = async (at: number) => (await pool.report(G, 1, RL, STRICT, at))?.until
      expect(await until(T0)).toBe(T0 + 60_000)
      // Concurrent 429s of the same cooldown count once, and never shorten it.
      expect(await until(T0 + 10)).toBe(T0 + 60_000)
      let t = T0 + 60_000
      expect(await until(t)).toBe(t + 120_000)
      t += 120_000
      expect(await until(t)).toBe(t + 240_000)
      t += 240_000
      expect((await pool.pick(G, t))?.rejoined).toBe(true)
      await pool.report(G, 1, OK, STRICT, t)
      expect(await until(t)).toBe(t + 60_000)
      // A named reset is taken as it is, with no cap, and still counts in the streak.
      t += 60_000
      expect(await until(t)).toBe(t + 120_000)
      t += 120_000
      const day = t + 20 * 3_600_000
      expect(
        (await pool.report(G, 1, { kind: 'rate_limited', until: day }, STRICT, t))?.until,
      ).toBe(day)
      // The default stops doubling at 30 minutes.
      for (let i = 0; i < 8; i++) {
        t = (await pool.earliestReset(G, t)) ?? t
        await until(t)
      }
      expect(await pool.earliestReset(G, t)).toBe(t + 30 * 60_000)
    })

    it('tells when the first cooling key is usable again', async () => {
      const pool = await setup(3)
      expect(await pool.earliestReset(G, T0)).toBeNull()
      await pool.report(G, 1, { kind: 'rate_limited', until: T0 + 5000 }, STRICT, T0)
      await pool.report(G, 2, { kind: 'rate_limited', until: T0 + 2000 }, STRICT, T0)
      await fail(pool, 3, 3)
      expect(await pool.earliestReset(G, T0)).toBe(T0 + 2000)
      expect(await pool.pick(G, T0)).toBeNull()
      expect(await pool.earliestReset(G, T0 + 2000)).toBe(T0 + 5000)
      expect(await pool.earliestReset(G, T0 + 5000)).toBeNull()
      expect(await pool.earliestReset(99, T0)).toBeNull()
    })

    it('cools a key for one model only when the limit is per model', async () => {
      const pool = await setup(3)
      const limited = (until: number | null) =>
        ({ kind: 'rate_limited', until, model: 'm1' }) as const
      const change = await pool.report(G, 1, limited(T0 + 30_000), STRICT, T0)
      expect(change).toMatchObject({
        id: 1,
        from: 'active',
        to: 'active',
        until: T0 + 30_000,
        model: 'm1',
      })
      // Key 1 sits out m1's turns but keeps serving m2, and the group counts it as active.
      const forModel = async (model: string, n: number, now = T0) => {
        const ids: number[] = []
        for (let i = 0; i < n; i++) ids.push((await pool.pick(G, now, undefined, model))?.id ?? -1)
        return ids
      }
      expect(new Set(await forModel('m1', 6))).toEqual(new Set([2, 3]))
      expect(new Set(await forModel('m2', 3))).toEqual(new Set([1, 2, 3]))
      expect(await pool.counts(G, T0)).toEqual({ active: 3, cooling: 0, invalid: 0 })
      // With every key cooling for m1: none for m1, and the reset is m1's earliest.
      await pool.report(G, 2, limited(T0 + 10_000), STRICT, T0)
      await pool.report(G, 3, limited(T0 + 20_000), STRICT, T0)
      expect(await pool.pick(G, T0, undefined, 'm1')).toBeNull()
      expect(await pool.pick(G, T0, new Set([1, 2, 3]), 'm1')).toBeNull()
      expect(await pool.earliestReset(G, T0, 'm1')).toBe(T0 + 10_000)
      expect(await pool.earliestReset(G, T0, 'm2')).toBeNull()
      expect(await pool.earliestReset(G, T0)).toBeNull()
      expect((await pool.pick(G, T0, undefined, 'm2'))?.id).toBeGreaterThan(0)
      // A later signal never shortens the cooldown; a longer one extends it.
      await pool.report(G, 2, limited(T0 + 5000), STRICT, T0 + 1000)
      expect(await pool.earliestReset(G, T0 + 1000, 'm1')).toBe(T0 + 10_000)
      await pool.report(G, 2, limited(T0 + 25_000), STRICT, T0 + 1000)
      expect(await pool.earliestReset(G, T0 + 1000, 'm1')).toBe(T0 + 20_000)
      // Each key comes back for m1 at its own end.
      expect(await forModel('m1', 2, T0 + 20_000)).toEqual([3, 3])
      expect(new Set(await forModel('m1', 3, T0 + 30_000))).toEqual(new Set([1, 2, 3]))
      expect(await pool.earliestReset(G, T0 + 30_000, 'm1')).toBeNull()
    })

    it('ends a per-model cooldown at the later of its end and the key-wide one', async () => {
      const pool = await setup(1)
      await pool.report(G, 1, { kind: 'rate_limited', until: T0 + 9000, model: 'm' }, STRICT, T0)
      await pool.report(G, 1, { kind: 'rate_limited', until: T0 + 4000 }, STRICT, T0)
      expect(await pool.earliestReset(G, T0, 'm')).toBe(T0 + 9000)
      expect(await pool.earliestReset(G, T0, 'other')).toBe(T0 + 4000)
      expect(await pool.pick(G, T0 + 4000, undefined, 'm')).toBeNull()
      expect((await pool.pick(G, T0 + 4000, undefined, 'other'))?.id).toBe(1)
      expect((await pool.pick(G, T0 + 9000, undefined, 'm'))?.id).toBe(1)
    })

    it("forgets a model's cooldown that ended while the key cooled key-wide", async () => {
      const pool = await setup(3)
      const limited = (id: number, until: number, at: number, model?: string) =>
        pool.report(G, id, { kind: 'rate_limited', until, model }, STRICT, at)
      await limited(1, T0 + 5000, T0, 'm')
      await limited(1, T0 + 10_000, T0)
      expect((await pool.pick(G, T0 + 6000, undefined, 'm'))?.id).toBe(2)
      expect(await pool.counts(G, T0 + 10_000)).toEqual({ active: 3, cooling: 0, invalid: 0 })
      await limited(2, T0 + 40_000, T0 + 10_000, 'm')
      await limited(2, T0 + 20_000, T0 + 10_000)
      await limited(3, T0 + 30_000, T0 + 10_000, 'm')
      // Key 1 is usable for m; key 2 is back for m at 40 s, key 3 at 30 s.
      expect(await pool.earliestReset(G, T0 + 10_001, 'm')).toBe(T0 + 30_000)
      expect((await pool.pick(G, T0 + 10_001, undefined, 'm'))?.id).toBe(1)
    })

    it('cools a model for a default that grows on repeats when no reset is named', async () => {
      const pool = await setup(1)
      const limited = { kind: 'rate_limited', until: null, model: 'm' } as const
      expect((await pool.report(G, 1, limited, STRICT, T0))?.until).toBe(T0 + 60_000)
      // A burst during the cooldown adds nothing; the next 429 after it doubles.
      expect((await pool.report(G, 1, limited, STRICT, T0 + 1000))?.until).toBe(T0 + 60_000)
      const t = T0 + 60_000
      expect((await pool.report(G, 1, limited, STRICT, t))?.until).toBe(t + 120_000)
      expect((await pool.pick(G, t, undefined, 'x'))?.id).toBe(1)
    })

    it('spares a depleted key until its reset while other keys are usable', async () => {
      const pool = await setup(3)
      const depleted = (until: number, model?: string) =>
        ({ kind: 'success', depleted: model === undefined ? { until } : { until, model } }) as const
      expect(await pool.report(G, 1, depleted(T0 + 10_000, 'm'), STRICT, T0)).toBeNull()
      const forModel = async (
        model: string,
        n: number,
        now = T0,
        exclude?: ReadonlySet<number>,
      ) => {
        const ids: number[] = []
        for (let i = 0; i < n; i++) ids.push((await pool.pick(G, now, exclude, model))?.id ?? -1)
        return ids
      }
      expect(new Set(await forModel('m', 6))).toEqual(new Set([2, 3]))
      expect(new Set(await forModel('n', 3))).toEqual(new Set([1, 2, 3]))
      // Depleted beats tried: with 2 and 3 tried in this request, 1 serves rather than fail.
      expect(await forModel('m', 2, T0, new Set([2, 3]))).toEqual([1, 1])
      // Every key depleted: they still serve, in turn.
      await pool.report(G, 2, depleted(T0 + 10_000, 'm'), STRICT, T0)
      await pool.report(G, 3, depleted(T0 + 10_000, 'm'), STRICT, T0)
      expect(new Set(await forModel('m', 3))).toEqual(new Set([1, 2, 3]))
      expect(await pool.earliestReset(G, T0, 'm')).toBeNull()
      // A key-wide depletion spares the key for every model; both end by themselves.
      await pool.report(G, 1, depleted(T0 + 20_000), STRICT, T0 + 10_000)
      expect(new Set(await forModel('n', 4, T0 + 10_000))).toEqual(new Set([2, 3]))
      expect(new Set(await forModel('n', 3, T0 + 20_000))).toEqual(new Set([1, 2, 3]))
    })

    it("forgets a removed key's model cooldowns", async () => {
      const pool = await setup(2)
      await pool.report(G, 1, { kind: 'rate_limited', until: T0 + 9000, model: 'm' }, STRICT, T0)
      await pool.remove(G, [1])
      await pool.add(G, rows(1))
      expect(
        new Set([
          (await pool.pick(G, T0, undefined, 'm'))?.id,
          (await pool.pick(G, T0, undefined, 'm'))?.id,
        ]),
      ).toEqual(new Set([1, 2]))
    })

    it("forgets a disabled key's model cooldowns and depletion", async () => {
      const pool = await setup(2)
      await pool.report(G, 1, { kind: 'rate_limited', until: T0 + 9000, model: 'm' }, STRICT, T0)
      await pool.report(G, 2, { kind: 'success', depleted: { until: T0 + 9000 } }, STRICT, T0)
      await pool.add(G, [
        { ...rows(1)[0], enabled: false },
        { ...rows(1, 2)[0], enabled: false },
      ])
      expect(await pool.counts(G, T0)).toEqual({ active: 0, cooling: 0, invalid: 0 })
      await pool.add(G, rows(3))
      const got = []
      for (let i = 0; i < 3; i++) got.push((await pool.pick(G, T0, undefined, 'm'))?.id)
      expect(got).toEqual([1, 2, 3])
    })

    it("opens a route's circuit when distinct keys fail alike with no success between", async () => {
      const pool = await make()
      const policy = { minKeys: 3, windowMs: 10_000, openMs: 30_000 }
      const R = 'https://up.test'
      const fail = (
        keyId: number,
        at: number,
        failure: 'auth' | 'rate_limit' | 'connect' = 'rate_limit',
        charged = true,
      ) => pool.routeFailure(R, failure, { groupId: G, keyId, charged }, policy, at)
      expect(await pool.circuits(T0)).toBeNull()
      expect(await fail(1, T0)).toEqual({ incident: false })
      // A suspect: closed, but its next success must be told.
      expect((await pool.circuits(T0))?.get(R)).toMatchObject({ state: 'closed' })
      expect(await fail(1, T0 + 1)).toEqual({ incident: false }) // the same key counts once
      expect(await fail(2, T0 + 2, 'auth')).toEqual({ incident: false }) // another class apart
      // A success clears what was counted.
      await pool.routeSuccess(R)
      expect(await pool.circuits(T0 + 3)).toBeNull()
      expect(await fail(1, T0 + 10)).toEqual({ incident: false })
      expect(await fail(2, T0 + 20_000)).toEqual({ incident: false }) // key 1's failure left the window
      expect(await fail(3, T0 + 20_001, 'rate_limit', false)).toEqual({ incident: false })
      const opened = await fail(4, T0 + 20_002)
      expect(opened.incident).toBe(true)
      expect(opened.undo?.sort((a, b) => a.keyId - b.keyId)).toEqual([
        { groupId: G, keyId: 2 },
        { groupId: G, keyId: 4 },
      ])
      expect((await pool.circuits(T0 + 20_002))?.get(R)).toMatchObject({
        route: R,
        state: 'open',
        failure: 'rate_limit',
        since: T0 + 20_002,
        cause: '3 keys failed with 429 within 10 s',
        probing: false,
      })
      // Open for 30 s, give or take 20 %.
      const retryAt = (await pool.circuits(T0 + 20_002))?.get(R)?.retryAt ?? 0
      expect(retryAt).toBeGreaterThanOrEqual(T0 + 20_002 + 24_000)
      expect(retryAt).toBeLessThanOrEqual(T0 + 20_002 + 36_000)
      // While open, every failure is the route's, and nothing more is undone.
      expect(await fail(5, T0 + 20_003, 'auth')).toEqual({ incident: true })
      await pool.routeSuccess(R) // a success does not close an open circuit; a probe does
      expect((await pool.circuits(T0 + 20_004))?.get(R)?.state).toBe('open')
      // Other routes are untouched.
      expect((await pool.circuits(T0 + 20_004))?.has('https://other.test')).toBe(false)
      expect(
        await pool.routeFailure(
          'x',
          'rate_limit',
          { groupId: G, keyId: 1, charged: true },
          { ...policy, minKeys: 0 },
          T0,
        ),
      ).toEqual({ incident: false })
    })

    it('counts 429s with differing named waits as per-key limits, agreeing ones as one', async () => {
      const pool = await make()
      const policy = { minKeys: 3, windowMs: 10_000, openMs: 10_000 }
      const limited = (R: string, keyId: number, resetIn: number | null) =>
        pool.routeFailure(
          R,
          'rate_limit',
          { groupId: G, keyId, charged: true, resetIn },
          policy,
          T0,
        )
      for (const [i, wait] of [5000, 8000, 11_000, 14_000].entries()) {
        expect((await limited('https://staggered.test', i + 1, wait)).incident).toBe(false)
      }
      // The same wait from every key is one limit: the route's.
      await limited('https://shared.test', 1, 60_000)
      await limited('https://shared.test', 2, 59_500)
      expect((await limited('https://shared.test', 3, 60_000)).incident).toBe(true)
      // Differing waits leave only the 429s naming none to count.
      await limited('https://mixed.test', 1, 5000)
      await limited('https://mixed.test', 2, 20_000)
      await limited('https://mixed.test', 3, null)
      await limited('https://mixed.test', 4, null)
      expect((await limited('https://mixed.test', 5, null)).incident).toBe(true)
    })

    it('lets one probe at a time through a half-open circuit, backing off on failure', async () => {
      const pool = await make()
      const policy = { minKeys: 2, windowMs: 10_000, openMs: 30_000 }
      const R = 'https://probe.test'
      await pool.routeFailure(R, 'connect', { groupId: G, keyId: 1, charged: false }, policy, T0)
      const r = await pool.routeFailure(
        R,
        'connect',
        { groupId: G, keyId: 1, charged: false },
        policy,
        T0,
      )
      expect(r).toEqual({ incident: true, undo: [] })
      expect((await pool.circuits(T0))?.get(R)?.cause).toBe('2 connection errors within 10 s')
      const due = (at: number) => pool.circuits(at).then((c) => c?.get(R)?.retryAt ?? 0)
      const t1 = await due(T0)
      expect(t1 - T0).toBeGreaterThanOrEqual(24_000)
      expect(t1 - T0).toBeLessThanOrEqual(36_000)
      expect(await pool.claimProbe(R, t1 - 1)).toBe(false)
      expect((await pool.circuits(t1))?.get(R)?.state).toBe('half_open')
      expect(await pool.claimProbe(R, t1)).toBe(true)
      expect(await pool.claimProbe(R, t1)).toBe(false) // one in flight
      expect((await pool.circuits(t1))?.get(R)?.probing).toBe(true)
      // A probe that never reached the upstream frees the slot and leaves it half-open.
      await pool.probeDone(R, null, t1 + 1)
      expect(await pool.claimProbe(R, t1 + 1)).toBe(true)
      // A failed probe re-opens for twice as long (60 s, give or take 20 %).
      await pool.probeDone(R, false, t1 + 2)
      expect((await pool.circuits(t1 + 2))?.get(R)?.state).toBe('open')
      const t2 = await due(t1 + 2)
      expect(t2 - (t1 + 2)).toBeGreaterThanOrEqual(48_000)
      expect(t2 - (t1 + 2)).toBeLessThanOrEqual(72_000)
      expect(await pool.claimProbe(R, t2 - 1)).toBe(false)
      expect(await pool.claimProbe(R, t2)).toBe(true)
      await pool.probeDone(R, true, t2 + 1)
      expect(await pool.circuits(t2 + 1)).toBeNull()
      expect(await pool.claimProbe(R, t2 + 1)).toBe(false) // closed: nothing to probe
    })

    it('gives an invalid key one live probe at a time, backing off and within a budget', async () => {
      const pool = await setup(4)
      const ONE = { blacklistThreshold: 1 }
      const policy = { intervalMs: 10_000, perMinute: 2 }
      const M = 60_000 * Math.ceil(T0 / 60_000) // a minute's start, so the budget's minute is known
      expect(await pool.claimKeyProbe(G, M, policy)).toBeNull() // nothing invalid
      await pool.report(G, 1, AUTH, ONE, M)
      expect(await pool.claimKeyProbe(G, M + 9_999, policy)).toBeNull()
      expect(await pool.claimKeyProbe(G, M + 10_000, { ...policy, intervalMs: 0 })).toBeNull()
      expect(await pool.claimKeyProbe(G, M + 10_000, policy)).toEqual({
        id: 1,
        hash: 'h1',
        stored: sealed(1),
        failures: 1,
      })
      expect(await pool.claimKeyProbe(G, M + 10_000, policy)).toBeNull() // in flight
      // Never reached the upstream: due again at once.
      expect(await pool.keyProbeDone(G, 1, null, M + 10_001)).toBeNull()
      expect((await pool.claimKeyProbe(G, M + 10_001, policy))?.id).toBe(1)
      // Failed: twice the wait; the budget of 2 this minute is spent anyway.
      expect(await pool.keyProbeDone(G, 1, false, M + 10_002)).toBeNull()
      expect(await pool.claimKeyProbe(G, M + 30_001, policy)).toBeNull()
      expect(await pool.claimKeyProbe(G, M + 60_000, policy)).toMatchObject({ id: 1 })
      // Passed: active again, with its change to persist.
      expect(await pool.keyProbeDone(G, 1, true, M + 60_001)).toMatchObject({
        id: 1,
        from: 'invalid',
        to: 'active',
        status: 'active',
        failure_count: 0,
      })
      expect(await pool.counts(G, M + 60_001)).toEqual({ active: 4, cooling: 0, invalid: 0 })
      expect(await pool.keyProbeDone(G, 1, true, M + 60_002)).toBeNull() // not in flight
      // The budget counts per minute and per group.
      for (const id of [2, 3, 4]) await pool.report(G, id, AUTH, ONE, M + 120_000)
      const t = M + 130_000
      expect((await pool.claimKeyProbe(G, t, policy))?.id).toBeGreaterThan(1)
      expect((await pool.claimKeyProbe(G, t, policy))?.id).toBeGreaterThan(1)
      expect(await pool.claimKeyProbe(G, t, policy)).toBeNull()
      expect((await pool.claimKeyProbe(G, M + 180_000, policy))?.id).toBeGreaterThan(1)
      // A key restored meanwhile is no longer probed.
      await pool.restore(G, [2, 3, 4])
      expect(await pool.claimKeyProbe(G, M + 240_000, policy)).toBeNull()
    })

    it('probes keys due at once lowest id first, whatever their add order', async () => {
      const pool = await make()
      const invalid = (id: number): PoolKeyRow => ({
        id,
        key_value: sealed(id),
        key_hash: `h${id}`,
        status: 'invalid',
        failure_count: 3,
      })
      // Loaded invalid, all three are due at once.
      await pool.add(G, [invalid(12), invalid(3), invalid(20)])
      const policy = { intervalMs: 10_000, perMinute: 10 }
      const ids = []
      for (let i = 0; i < 4; i++) ids.push((await pool.claimKeyProbe(G, T0, policy))?.id ?? null)
      expect(ids).toEqual([3, 12, 20, null])
      // A failed probe waits twice as long: the others, due earlier, go first.
      await pool.keyProbeDone(G, 3, false, T0)
      await pool.keyProbeDone(G, 12, null, T0)
      await pool.keyProbeDone(G, 20, null, T0)
      expect((await pool.claimKeyProbe(G, T0 + 20_000, policy))?.id).toBe(12)
      expect((await pool.claimKeyProbe(G, T0 + 20_000, policy))?.id).toBe(20)
      expect(await pool.claimKeyProbe(G, T0 + 19_999, policy)).toBeNull()
      expect((await pool.claimKeyProbe(G, T0 + 20_000, policy))?.id).toBe(3)
    })

    it('applies a changed probe interval at once', async () => {
      const pool = await setup(2)
      await pool.report(G, 1, AUTH, { blacklistThreshold: 1 }, T0)
      const slow = { intervalMs: 60_000, perMinute: 10 }
      expect(await pool.claimKeyProbe(G, T0 + 10_000, slow)).toBeNull()
      // The setting is lowered: the key is due now, not when the old interval said.
      const fast = { intervalMs: 5_000, perMinute: 10 }
      expect((await pool.claimKeyProbe(G, T0 + 10_001, fast))?.id).toBe(1)
    })

    it('retains only the listed keys, leaving their health as it is', async () => {
      const pool = await setup(5)
      await pool.report(G, 2, { kind: 'rate_limited', until: T0 + 1000 }, STRICT, T0)
      await fail(pool, 3, 3)
      await pool.report(G, 4, AUTH, STRICT, T0)
      await pool.retain(G, new Set([2, 3, 4]))
      expect(await pool.counts(G, T0)).toEqual({ active: 1, cooling: 1, invalid: 1 })
      expect(await picks(pool, 2)).toEqual([4, 4])
      expect((await pool.pick(G, T0))?.failures).toBe(1)
      expect(await pool.counts(G, T0 + 1000)).toEqual({ active: 2, cooling: 0, invalid: 1 })
      await pool.retain(G, new Set())
      expect(await pool.counts(G, T0 + 1000)).toEqual({ active: 0, cooling: 0, invalid: 0 })
      expect(await pool.pick(G, T0 + 1000)).toBeNull()
      await pool.retain(99, new Set([1])) // an unknown group is no error
    })

    it('tells the picker how many consecutive failures the key has', async () => {
      const pool = await make()
      await pool.add(G, [
        { id: 1, key_value: 'a', key_hash: 'h1', status: 'active', failure_count: 0 },
      ])
      await pool.report(G, 1, AUTH, { blacklistThreshold: 10 }, T0)
      await pool.report(G, 1, AUTH, { blacklistThreshold: 10 }, T0)
      expect((await pool.pick(G, T0))?.failures).toBe(2)
      await pool.report(G, 1, { kind: 'success' }, { blacklistThreshold: 10 }, T0)
      expect((await pool.pick(G, T0))?.failures).toBe(0)
    })

    it('restores invalid and cooling keys with a zero count', async () => {
      const pool = await setup(3)
      await fail(pool, 1, 3)
      await pool.report(G, 2, { kind: 'rate_limited', until: T0 + 1000 }, STRICT, T0)
      await fail(pool, 3, 2)
      expect((await pool.restore(G, [1, 2, 3, 42])).sort()).toEqual([1, 2])
      expect(await pool.counts(G, T0)).toEqual({ active: 3, cooling: 0, invalid: 0 })
      expect(new Set(await picks(pool, 3))).toEqual(new Set([1, 2, 3]))
      expect(await pool.report(G, 1, AUTH, STRICT, T0)).toMatchObject({ failure_count: 1 })
      expect(await pool.report(G, 3, AUTH, STRICT, T0)).toMatchObject({ failure_count: 1 })
      expect(await pool.invalidIds(G)).toEqual([])
    })

    it('removes keys in any state, and clears a group without touching others', async () => {
      const pool = await setup(4)
      await pool.add(2, rows(2, 100))
      await fail(pool, 1, 3)
      await pool.report(G, 2, { kind: 'rate_limited', until: T0 + 1000 }, STRICT, T0)
      await pool.remove(G, [1, 2, 3])
      expect(await pool.counts(G, T0)).toEqual({ active: 1, cooling: 0, invalid: 0 })
      expect(await picks(pool, 2, T0 + 2000)).toEqual([4, 4])
      expect(await pool.report(G, 3, AUTH, STRICT, T0)).toBeNull()
      await pool.clearGroup(G)
      expect(await pool.pick(G, T0)).toBeNull()
      expect(await pool.counts(G, T0)).toEqual({ active: 0, cooling: 0, invalid: 0 })
      expect((await pool.pick(2, T0))?.id).toBe(100)
    })

    it('loses no update under concurrent failures on one key', async () => {
      const pool = await setup(2)
      const all = await Promise.all(
        Array.from({ length: 500 }, () => pool.report(G, 1, AUTH, NEVER, T0)),
      )
      const counts = all.map((c) => c?.failure_count ?? -1).sort((a, b) => a - b)
      expect(counts).toEqual(Array.from({ length: 500 }, (_, i) => i + 1))
      expect(await pool.report(G, 1, AUTH, NEVER, T0)).toMatchObject({ failure_count: 501 })
    })

    it('blacklists exactly once under concurrent failures', async () => {
      const pool = await setup(2)
      const policy = { blacklistThreshold: 50 }
      const all = await Promise.all(
        Array.from({ length: 200 }, () => pool.report(G, 1, AUTH, policy, T0)),
      )
      expect(all.filter((c) => c !== null)).toHaveLength(50)
      expect(all.filter((c) => c?.to === 'invalid')).toHaveLength(1)
      expect(await pool.invalidIds(G)).toEqual([1])
    })

    it('adds 100,000 keys quickly, then picks in order and skips cooling keys', async () => {
      const pool = await make()
      const many = rows(100_000)
      const t = performance.now()
      await pool.add(G, many)
      expect(performance.now() - t).toBeLessThan(opts.bulkAddMs ?? 2000)
      expect(await picks(pool, 3)).toEqual([1, 2, 3])
      expect(await pool.counts(G, T0)).toEqual({ active: 100_000, cooling: 0, invalid: 0 })
      for (let id = 4; id <= 1003; id++) {
        await pool.report(G, id, { kind: 'rate_limited', until: T0 + 1000 }, STRICT, T0)
      }
      expect(await picks(pool, 2)).toEqual([1004, 1005])
      expect(await pool.counts(G, T0)).toEqual({ active: 99_000, cooling: 1000, invalid: 0 })
    })
  })
}
