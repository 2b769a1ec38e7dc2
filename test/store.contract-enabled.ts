// Store contract, manual on/off part (edgeload issue 3): keys and groups are turned on and off
// apart from their health, and restores never touch a disabled key.
import { beforeEach, describe, expect, it } from 'vitest'
import type { Store } from '../src/store/types'
import { groupInput, newKeys } from './store.fixtures'

export function describeEnabled(get: () => Store) {
  describe('enabled', () => {
    let store: Store
    let gid: number
    let other: number
    beforeEach(async () => {
      store = get()
      gid = (await store.createGroup(groupInput('alpha'))).id
      other = (await store.createGroup(groupInput('beta'))).id
    })

    it('turns keys off and on within the group, returning only the changed rows', async () => {
      const keys = await store.addKeys(gid, newKeys(3))
      const [foreign] = await store.addKeys(other, newKeys(1))
      const ids = [keys[0].id, keys[1].id, foreign.id]
      const off = await store.setKeysEnabled(gid, ids, false)
      expect(off.map((r) => [r.id, r.enabled]).sort()).toEqual([
        [keys[0].id, false],
        [keys[1].id, false],
      ])
      expect(await store.setKeysEnabled(gid, ids, false)).toEqual([])
      expect((await store.getKey(foreign.id))?.enabled).toBe(true)
      expect((await store.getKey(keys[2].id))?.enabled).toBe(true)

      // Enabling makes the key active again but keeps its failure count.
      await store.updateKeyHealth([{ id: keys[0].id, status: 'invalid', failure_count: 4 }])
      const [on] = await store.setKeysEnabled(gid, [keys[0].id], true)
      expect(on).toEqual({
        id: keys[0].id,
        key_value: 'sk-k-0',
        key_hash: 'h-k-0',
        status: 'active',
        failure_count: 4,
        enabled: true,
      })
    })

    it('counts a disabled key only as disabled, whatever its health', async () => {
      const keys = await store.addKeys(gid, newKeys(4))
      await store.updateKeyHealth([
        { id: keys[0].id, status: 'invalid', failure_count: 3 },
        { id: keys[1].id, status: 'invalid', failure_count: 3 },
      ])
      await store.setKeysEnabled(gid, [keys[0].id, keys[2].id], false)
      await store.addKeys(other, newKeys(1))
      expect(await store.countKeys(gid)).toEqual({ total: 4, active: 1, invalid: 1, disabled: 2 })
      expect(await store.countKeys(null)).toEqual({ total: 5, active: 2, invalid: 1, disabled: 2 })
    })

    it('restores never touch a disabled key', async () => {
      const keys = await store.addKeys(gid, newKeys(2))
      const ids = keys.map((k) => k.id)
      await store.updateKeyHealth(ids.map((id) => ({ id, status: 'invalid', failure_count: 2 })))
      await store.setKeysEnabled(gid, [ids[0]], false)
      expect(await store.restoreKeys(gid, 'all-invalid')).toEqual([ids[1]])
      expect(await store.restoreKeys(gid, ids)).toEqual([])
      expect(await store.getKey(ids[0])).toMatchObject({
        enabled: false,
        status: 'invalid',
        failure_count: 2,
      })
    })

    it('turns a group off and on; updates and new groups leave it as is', async () => {
      expect((await store.getGroup(gid))?.enabled).toBe(true)
      expect(await store.setGroupEnabled(gid, false)).toBe(true)
      await store.updateGroup(gid, { description: 'x' })
      expect((await store.getGroup(gid))?.enabled).toBe(false)
      expect((await store.getGroup(other))?.enabled).toBe(true)
      expect(await store.setGroupEnabled(999_999, false)).toBe(false)
      expect(await store.setGroupEnabled(gid, true)).toBe(true)
      expect((await store.getGroup(gid))?.enabled).toBe(true)
    })
  })
}
