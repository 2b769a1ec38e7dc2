// Store contract, key history part: health transitions are appended in batches and read back one
// key at a time, newest first, with their times to the millisecond.
import { beforeEach, describe, expect, it } from 'vitest'
import type { NewKeyEvent, Store } from '../src/store/types'
import { groupInput, newKeys, T0 } from './store.fixtures'

export function describeHistory(get: () => Store) {
  describe('key history', () => {
    let store: Store
    let gid: number
    beforeEach(async () => {
      store = get()
      gid = (await store.createGroup(groupInput('alpha'))).id
    })

    const event = (key_id: number, ms: number, over: Partial<NewKeyEvent> = {}): NewKeyEvent => ({
      key_id,
      group_id: gid,
      time: new Date(T0 + ms),
      from_state: 'active',
      to_state: 'cooling',
      status_code: 429,
      message: `429 at ${ms}`,
      ...over,
    })

    it("reads back one key's events newest first, every field intact", async () => {
      const [k, other] = await store.addKeys(gid, newKeys(2))
      const first = event(k.id, 123, { from_state: null, to_state: 'active', status_code: 0 })
      const second = event(k.id, 1_001)
      const third = event(k.id, 2_999, {
        from_state: 'cooling',
        to_state: 'invalid',
        status_code: 401,
      })
      await store.addKeyEvents([first, event(other.id, 5), second])
      await store.addKeyEvents([third])
      await store.addKeyEvents([])
      const page = await store.listKeyEvents(k.id, 1, 10)
      expect(page.total).toBe(3)
      expect(page.items.map(({ id: _id, ...rest }) => rest)).toEqual([third, second, first])
      expect(page.items.map((e) => e.time.getTime())).toEqual([T0 + 2_999, T0 + 1_001, T0 + 123])
      expect(page.items[0].id).toBeGreaterThan(page.items[1].id)
      expect(await store.listKeyEvents(other.id, 1, 10)).toMatchObject({
        total: 1,
        items: [{ key_id: other.id, time: new Date(T0 + 5) }],
      })
      expect(await store.listKeyEvents(999_999, 1, 10)).toEqual({ items: [], total: 0 })
    })

    it('writes batches beyond one statement and pages through them', async () => {
      const [k] = await store.addKeys(gid, newKeys(1))
      const events = Array.from({ length: 45 }, (_, i) => event(k.id, i * 1000 + 7))
      await store.addKeyEvents(events)
      const p1 = await store.listKeyEvents(k.id, 1, 20)
      expect(p1.total).toBe(45)
      expect(p1.items.map((e) => e.message)).toEqual(
        events
          .slice(25)
          .reverse()
          .map((e) => e.message),
      )
      const p3 = await store.listKeyEvents(k.id, 3, 20)
      expect(p3.items.map((e) => e.time.getTime())).toEqual(
        [4, 3, 2, 1, 0].map((i) => T0 + i * 1000 + 7),
      )
      expect(await store.listKeyEvents(k.id, 4, 20)).toEqual({ items: [], total: 45 })
    })

    // Ids are never reused, so a key's history stays with it after it is gone (audit trail).
    it('keeps the events of a deleted key', async () => {
      const [k] = await store.addKeys(gid, newKeys(1))
      await store.addKeyEvents([event(k.id, 1), event(k.id, 2, { to_state: 'disabled' })])
      expect(await store.deleteKeys(gid, [k.id])).toBe(1)
      await store.deleteGroup(gid)
      const page = await store.listKeyEvents(k.id, 1, 10)
      expect(page.items.map((e) => e.to_state)).toEqual(['disabled', 'cooling'])
    })
  })
}
