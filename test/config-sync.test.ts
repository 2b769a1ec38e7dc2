// createConfigSync on one coordination shared by two nodes: a node reloads when the version moves
// past what it loaded, and a node whose own bump skips over another node's change still treats
// that change as remote (its local key pool must refresh).
import { describe, expect, it } from 'vitest'
import type { Coordination } from '../src/coord/types'
import type { ConfigCache } from '../src/config/cache'
import { createConfigSync } from '../src/config/sync'
import { createMemoryCoordination } from '../src/coord/memory'

const node = (coord: Coordination) => {
  const seen = { reloads: 0, remote: 0, lost: 0 }
  const cache = { reload: async () => void seen.reloads++ } as unknown as ConfigCache
  const sync = createConfigSync(
    cache,
    coord,
    async () => void seen.remote++,
    async () => void seen.lost++,
  )
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
    expect(a.seen).toEqual({ reloads: 2, remote: 0, lost: 0 })
    expect(await a.sync.check()).toBe(false)
    expect(await b.sync.check()).toBe(true)
    expect(b.seen).toEqual({ reloads: 2, remote: 1, lost: 0 })
    expect(await b.sync.check()).toBe(false)

    // A changes, then B changes before its next check: B's bump goes past A's change.
    await a.sync.changed()
    await b.sync.changed()
    expect(b.seen).toEqual({ reloads: 3, remote: 2, lost: 0 })
    // The first node to start bumped the counter from 0 to 1.
    expect(b.sync.loaded()).toBe(4)
    // A catches up by polling; its next change follows directly, so nothing counts as remote.
    expect(await a.sync.check()).toBe(true)
    expect(a.seen.remote).toBe(1)
    await a.sync.changed()
    expect(a.seen.remote).toBe(1)
  })
})

describe('a coordination store that lost its state (Redis restarted empty)', () => {
  // The memory coordination, but replaceable underneath: `lose()` starts a fresh one.
  const losable = () => {
    let inner = createMemoryCoordination()
    const coord: Coordination = {
      acquire: (...a) => inner.acquire(...a),
      renew: (...a) => inner.renew(...a),
      release: (...a) => inner.release(...a),
      holder: (...a) => inner.holder(...a),
      version: (...a) => inner.version(...a),
      bump: (...a) => inner.bump(...a),
    }
    return { coord, lose: () => void (inner = createMemoryCoordination()) }
  }

  it('starts the counter at 1, so a loss is seen even before any admin change', async () => {
    const { coord, lose } = losable()
    const a = node(coord)
    await a.sync.init()
    expect(await coord.version('config')).toBe(1)
    lose()
    expect(await a.sync.check()).toBe(true)
    expect(a.seen.lost).toBe(1)
    expect(await coord.version('config')).toBe(1)
    expect(await a.sync.check()).toBe(false)
  })

  it('is noticed by every node, by a check or by its own next change', async () => {
    const { coord, lose } = losable()
    const a = node(coord)
    const b = node(coord)
    await a.sync.init()
    await b.sync.init()
    for (let i = 0; i < 5; i++) await a.sync.changed()
    await b.sync.check()
    lose()
    await b.sync.changed() // B's bump lands at 1, below the 6 it had loaded
    expect(b.seen.lost).toBe(1)
    expect(await a.sync.check()).toBe(true) // A sees 1 against its 6
    expect(a.seen.lost).toBe(1)
    await a.sync.changed()
    expect(await b.sync.check()).toBe(true)
    expect(b.seen).toMatchObject({ lost: 1 })
    expect(b.sync.loaded()).toBe(a.sync.loaded())
  })
})
