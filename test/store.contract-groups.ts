// Store contract, groups part: group rows with every field, names, order, validation time and
// aggregate membership.
import { beforeEach, describe, expect, it } from 'vitest'
import type { Store } from '../src/store/types'
import { groupInput, HOUR, logRow, newKeys, T0 } from './store.fixtures'

export function describeGroups(get: () => Store) {
  describe('groups', () => {
    let store: Store
    beforeEach(() => {
      store = get()
    })

    it('creates and reads a group with every field intact', async () => {
      const input = groupInput('alpha', {
        group_type: 'aggregate',
        upstreams: [{ url: 'https://a.example', weight: 3 }],
        param_overrides: { temperature: 0.2, nested: { a: [1, 2] } },
        model_redirect_rules: { 'gpt-4': 'gpt-4o' },
        model_redirect_strict: true,
        config: { max_retries: 2 },
        header_rules: [{ key: 'X-A', value: '1', action: 'set' }],
        failover_rules: [
          { status: '400-499', code: 'context_length_exceeded', action: 'failover' },
          { status: 400, message_regex: 'safety|policy', action: 'return' },
        ],
        proxy_keys: 'p1,p2',
      })
      // The store stamps created_at itself: it must keep the milliseconds of the clock.
      const before = Date.now()
      const g = await store.createGroup(input)
      const after = Date.now()
      expect(g).toMatchObject({ ...input, enabled: true, last_validated_at: null })
      expect(g.id).toBeGreaterThan(0)
      expect(g.created_at.getTime()).toBeGreaterThanOrEqual(before)
      expect(g.created_at.getTime()).toBeLessThanOrEqual(after)
      expect(g.updated_at.getTime()).toBe(g.created_at.getTime())
      expect(await store.getGroup(g.id)).toEqual(g)
      expect(await store.getGroupByName('alpha')).toEqual(g)
      expect(await store.getGroup(g.id + 100)).toBeNull()
      expect(await store.getGroupByName('nope')).toBeNull()
    })

    it('lists groups by sort, then id', async () => {
      expect(await store.listGroups()).toEqual([])
      await store.createGroup(groupInput('c', { sort: 2 }))
      await store.createGroup(groupInput('a', { sort: 1 }))
      await store.createGroup(groupInput('b', { sort: 1 }))
      expect((await store.listGroups()).map((g) => g.name)).toEqual(['a', 'b', 'c'])
    })

    it('sets the sort of each listed group, skipping unknown ids', async () => {
      const a = await store.createGroup(groupInput('a'))
      const b = await store.createGroup(groupInput('b'))
      const c = await store.createGroup(groupInput('c', { sort: 7 }))
      await store.setGroupSorts([
        { id: a.id, sort: 3 },
        { id: b.id, sort: 2 },
        { id: 999_999, sort: 1 },
      ])
      const listed = await store.listGroups()
      expect(listed.map((g) => [g.name, g.sort])).toEqual([
        ['b', 2],
        ['a', 3],
        ['c', 7],
      ])
      expect(listed.find((g) => g.id === c.id)).toEqual(c)
      await store.setGroupSorts([])
      expect(await store.getGroup(999_999)).toBeNull()
    })

    it('rejects a duplicate name with 409 DUPLICATE_RESOURCE, on create and rename', async () => {
      const dup = { status: 409, code: 'DUPLICATE_RESOURCE' }
      await store.createGroup(groupInput('alpha'))
      const beta = await store.createGroup(groupInput('beta'))
      await expect(store.createGroup(groupInput('alpha'))).rejects.toMatchObject(dup)
      await expect(store.updateGroup(beta.id, { name: 'alpha' })).rejects.toMatchObject(dup)
      expect(await store.updateGroup(beta.id, { name: 'beta' })).toMatchObject({ name: 'beta' })
      expect((await store.listGroups()).map((g) => g.name)).toEqual(['alpha', 'beta'])
    })

    it('updates fields; null for a missing group', async () => {
      const g = await store.createGroup(groupInput('alpha'))
      const u = await store.updateGroup(g.id, {
        display_name: 'A',
        upstreams: [{ url: 'https://b.example', weight: 2 }],
        model_redirect_strict: true,
      })
      expect(u).toMatchObject({
        id: g.id,
        name: 'alpha',
        display_name: 'A',
        model_redirect_strict: true,
      })
      expect(u?.upstreams).toEqual([{ url: 'https://b.example', weight: 2 }])
      expect(u?.created_at.getTime()).toBe(g.created_at.getTime())
      expect(u!.updated_at.getTime()).toBeGreaterThanOrEqual(g.updated_at.getTime())
      expect(await store.getGroup(g.id)).toEqual(u)
      expect(await store.updateGroup(g.id + 100, { display_name: 'x' })).toBeNull()
    })

    it('stores the validation time to the millisecond, for that group only', async () => {
      const g = await store.createGroup(groupInput('alpha'))
      const other = await store.createGroup(groupInput('beta'))
      await store.setGroupValidatedAt(g.id, new Date(T0 + 789))
      expect((await store.getGroup(g.id))?.last_validated_at?.getTime()).toBe(T0 + 789)
      await store.setGroupValidatedAt(g.id, new Date(T0 + 1001))
      expect((await store.getGroup(g.id))?.last_validated_at?.getTime()).toBe(T0 + 1001)
      expect((await store.getGroup(other.id))?.last_validated_at).toBeNull()
      // A missing group is not created by it.
      await store.setGroupValidatedAt(999_999, new Date(T0 + 1))
      expect(await store.listGroups()).toHaveLength(2)
    })

    it('deletes a group with its keys and memberships; logs and stats stay', async () => {
      const a = await store.createGroup(groupInput('alpha'))
      const b = await store.createGroup(groupInput('beta'))
      const agg = await store.createGroup(groupInput('agg', { group_type: 'aggregate' }))
      const agg2 = await store.createGroup(groupInput('agg2', { group_type: 'aggregate' }))
      await store.addSubGroups(agg.id, [
        { sub_group_id: a.id, weight: 1 },
        { sub_group_id: b.id, weight: 1 },
      ])
      await store.addSubGroups(agg2.id, [{ sub_group_id: b.id, weight: 2 }])
      await store.addKeys(a.id, newKeys(3))
      await store.addKeys(b.id, newKeys(2))
      await store.insertLogs([logRow({ group_id: a.id, timestamp: new Date(T0 + 7) })])
      expect(await store.deleteGroup(a.id)).toBe(true)
      expect(await store.getGroup(a.id)).toBeNull()
      expect(await store.countKeys(a.id)).toEqual({
        total: 0,
        active: 0,
        invalid: 0,
        disabled: 0,
      })
      expect((await store.countKeys(null)).total).toBe(2)
      expect((await store.queryLogs({ page: 1, page_size: 10 })).total).toBe(1)
      expect(await store.hourlyStats(new Date(T0), new Date(T0 + HOUR), a.id)).toHaveLength(1)
      // Deleting an aggregate drops its memberships too; its members' other ones stay.
      expect(await store.deleteGroup(agg.id)).toBe(true)
      expect(await store.listSubGroups(null)).toEqual([
        { group_id: agg2.id, sub_group_id: b.id, weight: 2, priority: 0 },
      ])
      expect(await store.deleteGroup(a.id)).toBe(false)
      expect((await store.listGroups()).map((g) => g.name)).toEqual(['beta', 'agg2'])
    })
  })

  describe('aggregate membership', () => {
    let store: Store
    beforeEach(() => {
      store = get()
    })
    const row = (group_id: number, sub_group_id: number, weight: number, priority = 0) => ({
      group_id,
      sub_group_id,
      weight,
      priority,
    })

    it('adds, lists, re-weights and deletes members; deleting a group drops them', async () => {
      const agg = await store.createGroup(groupInput('agg', { group_type: 'aggregate' }))
      const a = await store.createGroup(groupInput('alpha'))
      const b = await store.createGroup(groupInput('beta'))
      expect(await store.listSubGroups(agg.id)).toEqual([])
      await store.addSubGroups(agg.id, [
        { sub_group_id: a.id, weight: 3 },
        { sub_group_id: b.id, weight: 1 },
      ])
      expect(await store.listSubGroups(agg.id)).toEqual([
        row(agg.id, a.id, 3),
        row(agg.id, b.id, 1),
      ])
      await expect(
        store.addSubGroups(agg.id, [{ sub_group_id: a.id, weight: 1 }]),
      ).rejects.toThrow()
      expect(await store.updateSubGroup(agg.id, b.id, { weight: 9 })).toBe(true)
      expect(await store.updateSubGroup(agg.id, 999, { weight: 9 })).toBe(false)
      expect(await store.listSubGroups(agg.id)).toEqual([
        row(agg.id, a.id, 3),
        row(agg.id, b.id, 9),
      ])
      expect(await store.deleteSubGroup(agg.id, b.id)).toBe(true)
      expect(await store.deleteSubGroup(agg.id, b.id)).toBe(false)
      expect(await store.listSubGroups(null)).toEqual([row(agg.id, a.id, 3)])
      await store.deleteGroup(a.id)
      expect(await store.listSubGroups(null)).toEqual([])
    })

    it('stores a priority per membership: 0 when not given, changed apart from the weight', async () => {
      const agg = await store.createGroup(groupInput('agg', { group_type: 'aggregate' }))
      const a = await store.createGroup(groupInput('alpha'))
      const b = await store.createGroup(groupInput('beta'))
      await store.addSubGroups(agg.id, [
        { sub_group_id: a.id, weight: 3, priority: 5 },
        { sub_group_id: b.id, weight: 1 },
      ])
      expect(await store.listSubGroups(agg.id)).toEqual([
        row(agg.id, a.id, 3, 5),
        row(agg.id, b.id, 1, 0),
      ])
      expect(await store.updateSubGroup(agg.id, b.id, { priority: -2 })).toBe(true)
      expect(await store.updateSubGroup(agg.id, a.id, { weight: 7 })).toBe(true)
      expect(await store.updateSubGroup(agg.id, 999, { priority: 1 })).toBe(false)
      expect(await store.listSubGroups(agg.id)).toEqual([
        row(agg.id, a.id, 7, 5),
        row(agg.id, b.id, 1, -2),
      ])
      expect(await store.parentGroups(b.id)).toEqual([row(agg.id, b.id, 1, -2)])
    })

    it('fails a whole insert when one member is present already', async () => {
      const agg = await store.createGroup(groupInput('agg', { group_type: 'aggregate' }))
      const a = await store.createGroup(groupInput('alpha'))
      const b = await store.createGroup(groupInput('beta'))
      await store.addSubGroups(agg.id, [{ sub_group_id: a.id, weight: 1 }])
      await expect(
        store.addSubGroups(agg.id, [
          { sub_group_id: b.id, weight: 2 },
          { sub_group_id: a.id, weight: 5 },
        ]),
      ).rejects.toThrow()
      expect(await store.listSubGroups(agg.id)).toEqual([row(agg.id, a.id, 1)])
    })

    it('finds every aggregate a group belongs to; re-weighting touches one membership', async () => {
      const agg1 = await store.createGroup(groupInput('agg1', { group_type: 'aggregate' }))
      const agg2 = await store.createGroup(groupInput('agg2', { group_type: 'aggregate' }))
      const a = await store.createGroup(groupInput('alpha'))
      const b = await store.createGroup(groupInput('beta'))
      await store.addSubGroups(agg1.id, [
        { sub_group_id: a.id, weight: 1 },
        { sub_group_id: b.id, weight: 2 },
      ])
      await store.addSubGroups(agg2.id, [{ sub_group_id: a.id, weight: 4 }])
      const byParent = (rows: Array<{ group_id: number }>) =>
        [...rows].sort((x, y) => x.group_id - y.group_id)
      expect(byParent(await store.parentGroups(a.id))).toEqual([
        row(agg1.id, a.id, 1),
        row(agg2.id, a.id, 4),
      ])
      expect(await store.updateSubGroup(agg2.id, a.id, { weight: 6 })).toBe(true)
      expect(byParent(await store.parentGroups(a.id))).toEqual([
        row(agg1.id, a.id, 1),
        row(agg2.id, a.id, 6),
      ])
      expect(await store.parentGroups(b.id)).toEqual([row(agg1.id, b.id, 2)])
      // An aggregate is nobody's member here, and the memberships name it only as the parent.
      expect(await store.parentGroups(agg1.id)).toEqual([])
      expect(await store.updateSubGroup(agg2.id, b.id, { weight: 3 })).toBe(false)
      expect(await store.deleteSubGroup(agg2.id, b.id)).toBe(false)
    })
  })
}
