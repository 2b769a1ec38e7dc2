// Store contract, keys part: bulk add with dedupe, paging, pool loading and bulk status changes.
import { beforeEach, describe, expect, it } from 'vitest'
import type { Store } from '../src/store/types'
import { groupInput, logRow, newKeys, T0 } from './store.fixtures'

export function describeKeys(name: string, get: () => Store) {
  describe('keys', () => {
    let store: Store
    let gid: number
    let other: number
    beforeEach(async () => {
      store = get()
      gid = (await store.createGroup(groupInput('alpha'))).id
      other = (await store.createGroup(groupInput('beta'))).id
    })

    it('adds keys, deduping within the input and against the group', async () => {
      const before = Date.now()
      const first = await store.addKeys(gid, [...newKeys(3), newKeys(1)[0]])
      const after = Date.now()
      expect(first.map((k) => k.key_value)).toEqual(['sk-k-0', 'sk-k-1', 'sk-k-2'])
      expect(first[0]).toEqual({
        id: first[0].id,
        key_value: 'sk-k-0',
        key_hash: 'h-k-0',
        status: 'active',
        failure_count: 0,
        enabled: true,
      })
      const second = await store.addKeys(gid, newKeys(5))
      expect(second.map((k) => k.key_value)).toEqual(['sk-k-3', 'sk-k-4'])
      expect(await store.addKeys(gid, [])).toEqual([])
      expect(await store.addKeys(other, newKeys(2))).toHaveLength(2)
      expect((await store.countKeys(gid)).total).toBe(5)
      const key = await store.getKey(first[1].id)
      expect(key).toMatchObject({
        group_id: gid,
        key_value: 'sk-k-1',
        key_hash: 'h-k-1',
        notes: '',
      })
      expect(key).toMatchObject({ request_count: 0, failure_count: 0, last_used_at: null })
      // Stamped by the store, to the millisecond of its clock.
      expect(key?.created_at.getTime()).toBeGreaterThanOrEqual(before)
      expect(key?.created_at.getTime()).toBeLessThanOrEqual(after)
      expect(key?.updated_at.getTime()).toBe(key?.created_at.getTime())
      expect(await store.getKey(999_999)).toBeNull()
    })

    it("returns the added rows in id order, not in their hashes' order", async () => {
      // Hashes that sort against the input order, across more than one JSON part of the insert.
      const keys = Array.from({ length: 3000 }, (_, i) => ({
        key_value: `sk-order-${i}-${'x'.repeat(60)}`,
        key_hash: `h-${String(99_999 - i).padStart(5, '0')}`,
      }))
      const added = await store.addKeys(gid, keys)
      expect(added.map((k) => k.key_value)).toEqual(keys.map((k) => k.key_value))
      const ids = added.map((k) => k.id)
      expect(ids).toEqual([...ids].sort((a, b) => a - b))
    })

    it('pages keys by last use (never-used last), then id desc, with filters', async () => {
      const keys = await store.addKeys(gid, newKeys(5))
      await store.addKeys(other, newKeys(5))
      await store.insertLogs([
        // One millisecond apart: the order must not fall back to ids (which would put k-3 first).
        logRow({ group_id: gid, key_hash: 'h-k-3', timestamp: new Date(T0 + 1) }),
        logRow({ group_id: gid, key_hash: 'h-k-1', timestamp: new Date(T0 + 2) }),
      ])
      await store.updateKeyHealth([{ id: keys[2].id, status: 'invalid', failure_count: 3 }])
      const all = await store.listKeys({ group_id: gid, page: 1, page_size: 10 })
      expect(all.total).toBe(5)
      expect(all.items.map((k) => k.key_value)).toEqual([
        'sk-k-1',
        'sk-k-3',
        'sk-k-4',
        'sk-k-2',
        'sk-k-0',
      ])
      const page2 = await store.listKeys({ group_id: gid, page: 2, page_size: 2 })
      expect(page2).toMatchObject({
        total: 5,
        items: [{ key_value: 'sk-k-4' }, { key_value: 'sk-k-2' }],
      })
      const invalid = await store.listKeys({
        group_id: gid,
        status: 'invalid',
        page: 1,
        page_size: 10,
      })
      expect(invalid).toMatchObject({ total: 1, items: [{ id: keys[2].id, failure_count: 3 }] })
      const byHash = await store.listKeys({
        group_id: gid,
        key_hash: 'h-k-4',
        page: 1,
        page_size: 10,
      })
      expect(byHash).toMatchObject({ total: 1, items: [{ id: keys[4].id }] })
    })

    it('loads a group in id batches, optionally by status', async () => {
      const keys = await store.addKeys(gid, newKeys(25))
      await store.addKeys(other, newKeys(5, 'o'))
      const seen: number[] = []
      for (let after = 0; ;) {
        const batch = await store.loadKeys(gid, after, 10)
        if (batch.length === 0) break
        seen.push(...batch.map((k) => k.id))
        after = batch[batch.length - 1].id
      }
      expect(seen).toEqual(keys.map((k) => k.id))
      await store.updateKeyHealth([{ id: keys[7].id, status: 'invalid', failure_count: 3 }])
      expect(await store.loadKeys(gid, 0, 100, 'invalid')).toEqual([
        {
          id: keys[7].id,
          key_value: 'sk-k-7',
          key_hash: 'h-k-7',
          status: 'invalid',
          failure_count: 3,
          enabled: true,
        },
      ])
      expect(await store.loadKeys(gid, 0, 100, 'active')).toHaveLength(24)
    })

    it('loads more keys than one JSON slice holds, in id order, with their enabled flag', async () => {
      const keys = []
      for (let i = 0; i < 2_500; i += 500)
        keys.push(...(await store.addKeys(gid, newKeys(500, `s${i}-`))))
      await store.setKeysEnabled(gid, [keys[1_500]!.id], false)
      // 2,200: past two slices of 1,000 (sql-load-keys.ts), and not a multiple of one.
      const first = await store.loadKeys(gid, 0, 2_200)
      expect(first.map((k) => k.id)).toEqual(keys.slice(0, 2_200).map((k) => k.id))
      expect(first[1_500]).toMatchObject({ key_hash: keys[1_500]!.key_hash, enabled: false })
      expect(first.filter((k) => !k.enabled)).toHaveLength(1)
      expect(first[0]).toEqual({
        id: keys[0]!.id,
        key_value: keys[0]!.key_value,
        key_hash: keys[0]!.key_hash,
        status: 'active',
        failure_count: 0,
        enabled: true,
      })
      const rest = await store.loadKeys(gid, first[first.length - 1]!.id, 2_200)
      expect(rest.map((k) => k.id)).toEqual(keys.slice(2_200).map((k) => k.id))
    })

    it('finds ids by hash, beyond one statement and by status', async () => {
      const keys = await store.addKeys(gid, newKeys(250))
      await store.addKeys(other, newKeys(250))
      const hashes = [...newKeys(250).map((k) => k.key_hash), 'h-missing']
      expect((await store.findKeyIds(gid, hashes)).sort((a, b) => a - b)).toEqual(
        keys.map((k) => k.id),
      )
      await store.updateKeyHealth([{ id: keys[9].id, status: 'invalid', failure_count: 1 }])
      expect(await store.findKeyIds(gid, hashes, 'invalid')).toEqual([keys[9].id])
      expect(await store.findKeyIds(gid, [])).toEqual([])
    })

    it('deletes keys by id within the group only', async () => {
      const keys = await store.addKeys(gid, newKeys(150))
      const foreign = await store.addKeys(other, newKeys(1))
      const ids = [...keys.slice(0, 120).map((k) => k.id), foreign[0].id]
      expect(await store.deleteKeys(gid, ids)).toBe(120)
      expect((await store.countKeys(gid)).total).toBe(30)
      expect((await store.countKeys(other)).total).toBe(1)
      expect(await store.deleteKeys(gid, [])).toBe(0)
    })

    it('clears keys by status or all of them', async () => {
      const keys = await store.addKeys(gid, newKeys(4))
      await store.addKeys(other, newKeys(2))
      await store.updateKeyHealth([
        { id: keys[0].id, status: 'invalid', failure_count: 3 },
        { id: keys[2].id, status: 'invalid', failure_count: 3 },
      ])
      expect((await store.clearKeys(gid, 'invalid')).sort()).toEqual(
        [keys[0].id, keys[2].id].sort(),
      )
      expect((await store.clearKeys(gid)).sort()).toEqual([keys[1].id, keys[3].id].sort())
      expect(await store.countKeys(gid)).toEqual({ total: 0, active: 0, invalid: 0, disabled: 0 })
      expect((await store.countKeys(other)).total).toBe(2)
    })

    it('restores keys by id and all invalid ones, returning only the changed ids', async () => {
      const keys = await store.addKeys(gid, newKeys(5))
      const foreign = await store.addKeys(other, newKeys(1))
      await store.updateKeyHealth([
        { id: keys[0].id, status: 'invalid', failure_count: 3 },
        { id: keys[1].id, status: 'active', failure_count: 2 },
        { id: keys[2].id, status: 'invalid', failure_count: 5 },
        { id: keys[3].id, status: 'invalid', failure_count: 1 },
        { id: foreign[0].id, status: 'invalid', failure_count: 3 },
      ])
      const restored = await store.restoreKeys(gid, [
        keys[0].id,
        keys[1].id,
        keys[4].id,
        foreign[0].id,
      ])
      expect(restored.sort()).toEqual([keys[0].id, keys[1].id].sort())
      expect(await store.getKey(keys[1].id)).toMatchObject({ status: 'active', failure_count: 0 })
      expect((await store.restoreKeys(gid, 'all-invalid')).sort()).toEqual(
        [keys[2].id, keys[3].id].sort(),
      )
      expect(await store.countKeys(gid)).toEqual({ total: 5, active: 5, invalid: 0, disabled: 0 })
      expect(await store.getKey(foreign[0].id)).toMatchObject({ status: 'invalid' })
    })

    it('sets notes and persists health, the last report of a key winning', async () => {
      const [k] = await store.addKeys(gid, newKeys(1))
      expect(await store.setKeyNotes(k.id, 'primary')).toBe(true)
      expect(await store.setKeyNotes(999_999, 'x')).toBe(false)
      await store.updateKeyHealth([
        { id: k.id, status: 'invalid', failure_count: 3 },
        { id: k.id, status: 'active', failure_count: 1 },
      ])
      expect(await store.getKey(k.id)).toMatchObject({
        notes: 'primary',
        status: 'active',
        failure_count: 1,
      })
      await store.updateKeyHealth([])
      expect(await store.getKey(k.id)).toMatchObject({ status: 'active', failure_count: 1 })
    })

    it('persists health for many keys at once, across groups; unknown ids change nothing', async () => {
      const keys = await store.addKeys(gid, newKeys(250))
      const [foreign] = await store.addKeys(other, newKeys(1, 'o'))
      const invalid = (id: number, failure_count: number) =>
        ({ id, status: 'invalid', failure_count }) as const
      // 200 keys share one health (more ids than one statement binds), ten have their own.
      await store.updateKeyHealth([
        ...keys.slice(0, 200).map((k) => invalid(k.id, 3)),
        ...keys
          .slice(200, 210)
          .map((k, i) => ({ id: k.id, status: 'active' as const, failure_count: i })),
        invalid(foreign.id, 7),
        invalid(999_999, 1),
      ])
      expect(await store.countKeys(gid)).toEqual({
        total: 250,
        active: 50,
        invalid: 200,
        disabled: 0,
      })
      expect(
        (await store.loadKeys(gid, 0, 200, 'invalid')).every((k) => k.failure_count === 3),
      ).toBe(true)
      const next = await store.loadKeys(gid, keys[199].id, 11)
      expect(next.map((k) => k.failure_count)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0])
      expect(await store.getKey(foreign.id)).toMatchObject({ status: 'invalid', failure_count: 7 })
      expect(await store.getKey(999_999)).toBeNull()
      expect((await store.countKeys(null)).total).toBe(251)
    })

    it('counts keys per group and globally', async () => {
      const keys = await store.addKeys(gid, newKeys(4))
      await store.addKeys(other, newKeys(3))
      await store.updateKeyHealth([{ id: keys[0].id, status: 'invalid', failure_count: 3 }])
      expect(await store.countKeys(gid)).toEqual({ total: 4, active: 3, invalid: 1, disabled: 0 })
      expect(await store.countKeys(other)).toEqual({ total: 3, active: 3, invalid: 0, disabled: 0 })
      expect(await store.countKeys(null)).toEqual({ total: 7, active: 6, invalid: 1, disabled: 0 })
      expect(await store.countKeys(999_999)).toEqual({
        total: 0,
        active: 0,
        invalid: 0,
        disabled: 0,
      })
    })

    it('adds 100,000 keys in bulk', { timeout: 120_000 }, async () => {
      const keys = newKeys(100_000, 'bulk')
      const started = performance.now()
      const added = await store.addKeys(gid, keys)
      const ms = performance.now() - started
      console.log(`[${name}] addKeys(100,000): ${ms.toFixed(0)} ms`)
      expect(added).toHaveLength(100_000)
      expect(new Set(added.map((k) => k.id)).size).toBe(100_000)
      expect(await store.countKeys(gid)).toEqual({
        total: 100_000,
        active: 100_000,
        invalid: 0,
        disabled: 0,
      })
      expect(
        await store.addKeys(gid, [...keys.slice(0, 1000), ...newKeys(10, 'more')]),
      ).toHaveLength(10)
    })
  })
}
