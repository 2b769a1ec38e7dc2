// The coordination contract: one suite that every implementation (memory, SQL, later Redis and
// Upstash) passes. `make` builds a fresh, empty shared state on a controllable clock; `open`
// gives another node's view of it (another connection where the implementation has one).
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Coordination } from '../src/coord/types'

export interface CoordHarness {
  /** Another node's handle on the same shared state. */
  open(): Promise<Coordination>
  close(): Promise<void>
}

export type MakeCoord = (now: () => number) => Promise<CoordHarness>

const T0 = 1_700_000_000_000

export const testCoordination = (name: string, make: MakeCoord): void => {
  describe(`Coordination contract: ${name}`, () => {
    let t = T0
    let h: CoordHarness
    let a: Coordination
    let b: Coordination
    beforeEach(async () => {
      t = T0
      h = await make(() => t)
      a = await h.open()
      b = await h.open()
    })
    afterEach(async () => {
      await h.close()
    })

    it('acquires a free lease and reports its holder to every node', async () => {
      expect(await a.holder('leader')).toBeNull()
      expect(await a.acquire('leader', 'n1', 10_000)).toBe(true)
      expect(await b.holder('leader')).toEqual({ owner: 'n1', until: T0 + 10_000 })
      expect(await b.acquire('leader', 'n2', 10_000)).toBe(false)
      // Leases are independent by name.
      expect(await b.acquire('task', 'n2', 5_000)).toBe(true)
      expect(await a.holder('task')).toEqual({ owner: 'n2', until: T0 + 5_000 })
    })

    it('renews only for the holder; acquire by the holder renews too', async () => {
      await a.acquire('leader', 'n1', 10_000)
      t = T0 + 6_000
      expect(await b.renew('leader', 'n2', 10_000)).toBe(false)
      expect(await a.renew('leader', 'n1', 10_000)).toBe(true)
      expect(await b.holder('leader')).toEqual({ owner: 'n1', until: T0 + 16_000 })
      t = T0 + 15_000
      expect(await a.acquire('leader', 'n1', 10_000)).toBe(true)
      expect((await b.holder('leader'))?.until).toBe(T0 + 25_000)
      expect(await b.renew('nothing', 'n1', 10_000)).toBe(false)
    })

    it('expires at the TTL, to the millisecond', async () => {
      await a.acquire('leader', 'n1', 10_000)
      t = T0 + 9_999
      expect((await b.holder('leader'))?.owner).toBe('n1')
      expect(await b.acquire('leader', 'n2', 10_000)).toBe(false)
      t = T0 + 10_000
      expect(await b.holder('leader')).toBeNull()
      // An expired lease cannot be renewed: another node may already have taken it.
      expect(await a.renew('leader', 'n1', 10_000)).toBe(false)
    })

    it('lets another node steal an expired lease, after which the old holder has lost it', async () => {
      await a.acquire('leader', 'n1', 10_000)
      t = T0 + 10_001
      expect(await b.acquire('leader', 'n2', 10_000)).toBe(true)
      expect(await a.holder('leader')).toEqual({ owner: 'n2', until: T0 + 20_001 })
      expect(await a.renew('leader', 'n1', 10_000)).toBe(false)
      expect(await a.release('leader', 'n1')).toBe(false)
      expect((await b.holder('leader'))?.owner).toBe('n2')
    })

    it('releases at once for the holder only', async () => {
      await a.acquire('task', 'n1', 60_000)
      expect(await b.release('task', 'n2')).toBe(false)
      expect(await a.release('task', 'n1')).toBe(true)
      expect(await b.holder('task')).toBeNull()
      expect(await b.acquire('task', 'n2', 60_000)).toBe(true)
      expect(await a.release('task', 'n1')).toBe(false)
    })

    it('gives a contested lease to exactly one of many racing nodes', async () => {
      const nodes = [a, b, ...(await Promise.all([h.open(), h.open(), h.open(), h.open()]))]
      for (let round = 0; round < 5; round++) {
        const lease = `race-${round}`
        const wins = await Promise.all(
          Array.from({ length: 24 }, (_, i) =>
            nodes[i % nodes.length].acquire(lease, `o${i}`, 1000),
          ),
        )
        expect(wins.filter(Boolean)).toHaveLength(1)
        const winner = `o${wins.indexOf(true)}`
        expect((await a.holder(lease))?.owner).toBe(winner)
      }
      // And again once they have all expired.
      t = T0 + 1000
      const wins = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          nodes[i % nodes.length].acquire('race-0', `p${i}`, 1000),
        ),
      )
      expect(wins.filter(Boolean)).toHaveLength(1)
    })

    it('counts versions from 0, monotonic and shared, with no lost bump under a race', async () => {
      expect(await a.version('config')).toBe(0)
      expect(await a.bump('config')).toBe(1)
      expect(await b.version('config')).toBe(1)
      const nodes = [a, b, await h.open()]
      const got = await Promise.all(
        Array.from({ length: 30 }, (_, i) => nodes[i % nodes.length].bump('config')),
      )
      // Every bump got its own value: none lost, none repeated.
      expect([...got].sort((x, y) => x - y)).toEqual(Array.from({ length: 30 }, (_, i) => i + 2))
      expect(await b.version('config')).toBe(31)
      expect(await a.version('other')).toBe(0)
      // The clock does not matter to counters.
      t = T0 - 1_000_000
      expect(await b.bump('config')).toBe(32)
    })

    it('tells watchers of a bump where it can', async () => {
      if (!a.watch) return expect(a.watch).toBeUndefined()
      const seen: number[] = []
      const stop = a.watch('config', (v) => seen.push(v))
      await a.bump('config')
      await a.bump('other')
      await a.bump('config')
      stop()
      await a.bump('config')
      expect(seen).toEqual([1, 2])
    })
  })
}
