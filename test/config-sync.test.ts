// createConfigSync on one coordination shared by two nodes: a node reloads when the version moves
// past what it loaded, and a node whose own bump skips over another node's change still treats
// that change as remote (its local key pool must refresh).
import { describe, expect, it } from 'vitest'
import type { ConfigCache } from '../src/config/cache'
import { createConfigSync } from '../src/config/sync'
import { createMemoryCoordination } from '../src/coord/memory'

const node = (coord: ReturnType<typeof createMemoryCoordination>) => {
  const seen = { reloads: 0, remote: 0 }
  const cache = { reload: async () => void seen.reloads++ } as unknown as ConfigCache
  const sync = createConfigSync(cache, coord, async () => void seen.remote++)
  return { sync, seen }
}

describe('config sync', () => {
  it('reloads on a newer version, and counts a change skipped by its own bump as remote', async () => {
    const coord = createMemoryCoordination()
    const a = node(coord)
    const b = node(coord)
    await a.sync.init()
    await b.sync.init()
    a.sync.close()
    b.sync.close() // poll only, as on a coordination without notices

    await a.sync.changed()
    expect(a.seen).toEqual({ reloads: 2, remote: 0 })
    expect(await a.sync.check()).toBe(false)
    expect(await b.sync.check()).toBe(true)
    expect(b.seen).toEqual({ reloads: 2, remote: 1 })
    expect(await b.sync.check()).toBe(false)

    // A changes, then B changes before its next check: B's bump goes past A's change.
    await a.sync.changed()
    await b.sync.changed()
    expect(b.seen).toEqual({ reloads: 3, remote: 2 })
    expect(b.sync.loaded()).toBe(3)
    // A catches up by polling; its next change follows directly, so nothing counts as remote.
    expect(await a.sync.check()).toBe(true)
    expect(a.seen.remote).toBe(1)
    await a.sync.changed()
    expect(a.seen.remote).toBe(1)
  })
})
