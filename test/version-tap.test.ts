// withVersionTap: a pick's config version stands in for a coordination read while fresh, never
// moves the version back, and yields to a real read once stale (which may go back: a Redis lost).
import { describe, expect, it } from 'vitest'
import { createMemoryCoordination } from '../src/coord/memory'
import { withVersionTap } from '../src/coord/version-tap'

const setup = () => {
  let clock = 1_000
  const inner = createMemoryCoordination(() => clock)
  let reads = 0
  const counting = {
    ...inner,
    version: (name: string) => (reads++, inner.version(name)),
  }
  const tap = withVersionTap(counting, 250, () => clock)
  return { tap, inner, reads: () => reads, tick: (ms: number) => (clock += ms), now: () => clock }
}

describe('withVersionTap', () => {
  it('answers from a fresh pick, and reads once it is stale', async () => {
    const s = setup()
    await s.inner.bump('config')
    s.tap.seen('config', 1, s.now())
    expect(await s.tap.coord.version('config')).toBe(1)
    expect(s.reads()).toBe(0)
    s.tick(250)
    await s.inner.bump('config')
    expect(await s.tap.coord.version('config')).toBe(2)
    expect(s.reads()).toBe(1)
  })

  it('never takes a lower version from a pick, but does from a read', async () => {
    const s = setup()
    await s.tap.coord.bump('config')
    await s.tap.coord.bump('config')
    // A pick that left before the second bump answers after it.
    s.tap.seen('config', 1, s.now())
    expect(await s.tap.coord.version('config')).toBe(2)
    expect(s.reads()).toBe(0)
    // The store lost its counters: a real read says so once the tap is stale.
    const lost = setup()
    await lost.tap.coord.bump('config')
    lost.tap.seen('config', 1, lost.now())
    lost.tick(300)
    const fresh = createMemoryCoordination(lost.now)
    const tap = withVersionTap(fresh, 250, lost.now)
    tap.seen('config', 5, lost.now() - 300)
    expect(await tap.coord.version('config')).toBe(0)
  })
})
