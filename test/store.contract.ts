// The Store contract: one suite that every Store implementation must pass. Each test gets a fresh
// store from `make`, so tests never see each other's rows. Keys, logs and tasks live apart.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Store } from '../src/store/types'
import { describeEnabled } from './store.contract-enabled'
import { describeKeys } from './store.contract-keys'
import { describeLogs } from './store.contract-logs'
import { describeTasks } from './store.contract-tasks'
import { groupInput, newKeys, T0 } from './store.fixtures'

type MakeStore = () => Promise<{ store: Store; close: () => Promise<void> }>

export function testStore(name: string, make: MakeStore) {
  describe(`Store contract: ${name}`, () => {
    let store: Store
    let close: () => Promise<void>
    beforeEach(async () => {
      ;({ store, close } = await make())
    })
    afterEach(async () => {
      await close()
    })

    describe('ping', () => {
      it('answers while the database is open', async () => {
        await expect(store.ping()).resolves.toBeUndefined()
        await store.putSettings({ a: '1' })
        await expect(store.ping()).resolves.toBeUndefined()
      })
    })

    describe('settings', () => {
      it('puts, gets and overwrites values, across chunks', async () => {
        expect(await store.getSettings()).toEqual({})
        const many = Object.fromEntries(Array.from({ length: 45 }, (_, i) => [`s${i}`, `${i}`]))
        await store.putSettings({ ...many, max_retries: '3' })
        await store.putSettings({ max_retries: '5' })
        expect(await store.getSettings()).toEqual({ ...many, max_retries: '5' })
      })

      it('seeds only the missing keys', async () => {
        await store.putSettings({ max_retries: '3' })
        await store.seedSettings({ max_retries: '9', request_timeout: '600' })
        expect(await store.getSettings()).toEqual({ max_retries: '3', request_timeout: '600' })
      })
    })

    describe('groups', () => {
      it('creates and reads a group with every field intact', async () => {
        const input = groupInput('alpha', {
          group_type: 'aggregate',
          upstreams: [{ url: 'https://a.example', weight: 3 }],
          param_overrides: { temperature: 0.2, nested: { a: [1, 2] } },
          model_redirect_rules: { 'gpt-4': 'gpt-4o' },
          model_redirect_strict: true,
          config: { max_retries: 2 },
          header_rules: [{ key: 'X-A', value: '1', action: 'set' }],
          proxy_keys: 'p1,p2',
        })
        const g = await store.createGroup(input)
        expect(g).toMatchObject({ ...input, last_validated_at: null })
        expect(g.id).toBeGreaterThan(0)
        expect(g.created_at).toBeInstanceOf(Date)
        expect(await store.getGroup(g.id)).toEqual(g)
        expect(await store.getGroupByName('alpha')).toEqual(g)
        expect(await store.getGroup(g.id + 100)).toBeNull()
        expect(await store.getGroupByName('nope')).toBeNull()
      })

      it('lists groups by sort, then id', async () => {
        await store.createGroup(groupInput('c', { sort: 2 }))
        await store.createGroup(groupInput('a', { sort: 1 }))
        await store.createGroup(groupInput('b', { sort: 1 }))
        expect((await store.listGroups()).map((g) => g.name)).toEqual(['a', 'b', 'c'])
      })

      it('rejects a duplicate name with 409 DUPLICATE_RESOURCE, on create and rename', async () => {
        const dup = { status: 409, code: 'DUPLICATE_RESOURCE' }
        await store.createGroup(groupInput('alpha'))
        const beta = await store.createGroup(groupInput('beta'))
        await expect(store.createGroup(groupInput('alpha'))).rejects.toMatchObject(dup)
        await expect(store.updateGroup(beta.id, { name: 'alpha' })).rejects.toMatchObject(dup)
        expect(await store.updateGroup(beta.id, { name: 'beta' })).toMatchObject({ name: 'beta' })
      })

      it('updates fields and the validation time; null for a missing group', async () => {
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
        expect(u!.updated_at.getTime()).toBeGreaterThanOrEqual(g.updated_at.getTime())
        expect(await store.updateGroup(g.id + 100, { display_name: 'x' })).toBeNull()
        await store.setGroupValidatedAt(g.id, new Date(T0))
        expect((await store.getGroup(g.id))?.last_validated_at).toEqual(new Date(T0))
      })

      it('deletes a group with its keys only', async () => {
        const a = await store.createGroup(groupInput('alpha'))
        const b = await store.createGroup(groupInput('beta'))
        await store.addKeys(a.id, newKeys(3))
        await store.addKeys(b.id, newKeys(2))
        expect(await store.deleteGroup(a.id)).toBe(true)
        expect(await store.getGroup(a.id)).toBeNull()
        expect(await store.countKeys(a.id)).toEqual({
          total: 0,
          active: 0,
          invalid: 0,
          disabled: 0,
        })
        expect((await store.countKeys(null)).total).toBe(2)
        expect(await store.deleteGroup(a.id)).toBe(false)
      })
    })

    describe('aggregate membership', () => {
      it('adds, lists, re-weights and deletes members; deleting a group drops them', async () => {
        const agg = await store.createGroup(groupInput('agg', { group_type: 'aggregate' }))
        const a = await store.createGroup(groupInput('alpha'))
        const b = await store.createGroup(groupInput('beta'))
        await store.addSubGroups(agg.id, [
          { sub_group_id: a.id, weight: 3 },
          { sub_group_id: b.id, weight: 1 },
        ])
        const row = (sub: number, weight: number) => ({
          group_id: agg.id,
          sub_group_id: sub,
          weight,
        })
        expect(await store.listSubGroups(agg.id)).toEqual([row(a.id, 3), row(b.id, 1)])
        await expect(
          store.addSubGroups(agg.id, [{ sub_group_id: a.id, weight: 1 }]),
        ).rejects.toThrow()
        expect(await store.setSubGroupWeight(agg.id, b.id, 9)).toBe(true)
        expect(await store.setSubGroupWeight(agg.id, 999, 9)).toBe(false)
        expect(await store.parentGroups(b.id)).toEqual([row(b.id, 9)])
        expect(await store.deleteSubGroup(agg.id, b.id)).toBe(true)
        expect(await store.deleteSubGroup(agg.id, b.id)).toBe(false)
        expect(await store.listSubGroups(null)).toEqual([row(a.id, 3)])
        await store.deleteGroup(a.id)
        expect(await store.listSubGroups(null)).toEqual([])
      })
    })

    describeKeys(name, () => store)
    describeEnabled(() => store)
    describeLogs(() => store)
    describeTasks(() => store)
  })
}
