// Store contract, keys-as-stored part (migrate-keys and the encryption status): a scan over every
// group, atomic rewrites that carry the logs' key hashes along, and a sample of stored values.
import { beforeEach, describe, expect, it } from 'vitest'
import type { Store } from '../src/store/types'
import { groupInput, logRow, newKeys, T0 } from './store.fixtures'

const SEALED = 'enc:v1:'

export function describeRekey(get: () => Store) {
  describe('keys as stored', () => {
    let store: Store
    let gid: number
    let other: number
    beforeEach(async () => {
      store = get()
      gid = (await store.createGroup(groupInput('alpha'))).id
      other = (await store.createGroup(groupInput('beta'))).id
    })

    it('scans every group in id order, in pages after an id', async () => {
      expect(await store.scanKeys(0, 10)).toEqual([])
      const a = await store.addKeys(gid, newKeys(3, 'a'))
      const b = await store.addKeys(other, newKeys(2, 'b'))
      const c = await store.addKeys(gid, newKeys(2, 'c'))
      const all = [...a, ...b, ...c].map(({ id, key_value }) => ({
        id,
        key_value,
        key_hash: key_value.replace('sk-', 'h-'),
      }))
      const seen = []
      for (let after = 0; ;) {
        const page = await store.scanKeys(after, 3)
        expect(page.length).toBeLessThanOrEqual(3)
        if (page.length === 0) break
        seen.push(...page)
        after = page[page.length - 1].id
      }
      expect(seen).toEqual(all)
      expect(await store.scanKeys(b[0].id, 2)).toEqual(all.slice(4, 6))
    })

    it('rewrites values and hashes and moves the logs to the new hashes', async () => {
      const [k0, k1, k2] = await store.addKeys(gid, newKeys(3))
      const logs = [
        logRow({ group_id: gid, key_hash: 'h-k-0', timestamp: new Date(T0 + 1) }),
        logRow({ group_id: gid, key_hash: 'h-k-1', timestamp: new Date(T0 + 2) }),
        logRow({ group_id: gid, key_hash: 'h-k-2', timestamp: new Date(T0 + 3) }),
      ]
      await store.insertLogs(logs)
      await store.rewriteKeys([
        { id: k0.id, key_value: `${SEALED}zero`, key_hash: 'h2-0', old_hash: 'h-k-0' },
        // Same hash (a value sealed again under the same hash key): only the value changes.
        { id: k1.id, key_value: `${SEALED}one`, key_hash: 'h-k-1', old_hash: 'h-k-1' },
      ])
      expect(await store.getKey(k0.id)).toMatchObject({
        key_value: `${SEALED}zero`,
        key_hash: 'h2-0',
      })
      expect(await store.getKey(k1.id)).toMatchObject({
        key_value: `${SEALED}one`,
        key_hash: 'h-k-1',
      })
      expect(await store.getKey(k2.id)).toMatchObject({ key_value: 'sk-k-2', key_hash: 'h-k-2' })
      expect(await store.findKeyIds(gid, ['h2-0', 'h-k-0'])).toEqual([k0.id])
      const hashOf = async (id: string) =>
        (await store.queryLogs({ page: 1, page_size: 10 })).items.find((r) => r.id === id)?.key_hash
      expect(await hashOf(logs[0].id)).toBe('h2-0')
      expect(await hashOf(logs[1].id)).toBe('h-k-1')
      expect(await hashOf(logs[2].id)).toBe('h-k-2')
      expect((await store.queryLogs({ page: 1, page_size: 10, key_hash: 'h-k-0' })).total).toBe(0)
      await store.rewriteKeys([])
    })

    it('moves the logs of many keys whose hashes start with different characters', async () => {
      // SQLite moves a batch's logs with one statement per first character of the old hash (and
      // per 33 keys): 45 keys start with 'a', the rest spread over every hex digit, and each new
      // hash starts with another character than its old one.
      const hex = '0123456789abcdef'
      const oldHash = (i: number) => `${i < 45 ? 'a' : hex[i % 16]}${String(i).padStart(3, '0')}`
      const newHash = (i: number) => `${hex[(i + 5) % 16]}${String(i).padStart(3, '0')}-new`
      const n = 90
      const keys = await store.addKeys(
        gid,
        Array.from({ length: n }, (_, i) => ({ key_value: `sk-r-${i}`, key_hash: oldHash(i) })),
      )
      const logs = keys.map((_, i) =>
        logRow({ group_id: gid, key_hash: oldHash(i), timestamp: new Date(T0 + i) }),
      )
      const bystander = logRow({ key_hash: 'a999', timestamp: new Date(T0 + n) })
      await store.insertLogs([...logs, bystander])
      await store.rewriteKeys(
        keys.map((k, i) => ({
          id: k.id,
          key_value: `${SEALED}${i}`,
          key_hash: newHash(i),
          old_hash: oldHash(i),
        })),
      )
      const stored = await store.queryLogs({ page: 1, page_size: n + 1 })
      const hashOf = new Map(stored.items.map((r) => [r.id, r.key_hash]))
      expect(logs.map((l) => hashOf.get(l.id))).toEqual(logs.map((_, i) => newHash(i)))
      expect(hashOf.get(bystander.id)).toBe('a999')
      for (const i of [0, 44, 45, 89]) {
        const found = await store.queryLogs({ page: 1, page_size: 10, key_hash: newHash(i) })
        expect(found.items.map((r) => r.id)).toEqual([logs[i].id])
        expect(
          (await store.queryLogs({ page: 1, page_size: 10, key_hash: oldHash(i) })).total,
        ).toBe(0)
      }
    })

    it('rewrites all or nothing: a clash on one row leaves keys and logs as they were', async () => {
      const [k0, k1] = await store.addKeys(gid, newKeys(2))
      const log = logRow({ group_id: gid, key_hash: 'h-k-0', timestamp: new Date(T0 + 5) })
      await store.insertLogs([log])
      // The second rewrite takes a hash the group holds already: the unique index refuses it.
      await expect(
        store.rewriteKeys([
          { id: k0.id, key_value: 'new-0', key_hash: 'h-new-0', old_hash: 'h-k-0' },
          { id: k1.id, key_value: 'new-1', key_hash: 'h-new-0', old_hash: 'h-k-1' },
        ]),
      ).rejects.toThrow()
      expect(await store.scanKeys(0, 10)).toEqual([
        { id: k0.id, key_value: 'sk-k-0', key_hash: 'h-k-0' },
        { id: k1.id, key_value: 'sk-k-1', key_hash: 'h-k-1' },
      ])
      expect((await store.queryLogs({ page: 1, page_size: 10 })).items).toEqual([log])
    })

    it('samples how values are stored: one sealed value, and whether any is plain', async () => {
      expect(await store.keyStorageSample(SEALED)).toEqual({ sealed: null, plain: false })
      const [k0, k1] = await store.addKeys(gid, newKeys(2))
      expect(await store.keyStorageSample(SEALED)).toEqual({ sealed: null, plain: true })
      await store.rewriteKeys([
        { id: k0.id, key_value: `${SEALED}zero`, key_hash: 'h-k-0', old_hash: 'h-k-0' },
      ])
      expect(await store.keyStorageSample(SEALED)).toEqual({ sealed: `${SEALED}zero`, plain: true })
      await store.rewriteKeys([
        { id: k1.id, key_value: `${SEALED}one`, key_hash: 'h-k-1', old_hash: 'h-k-1' },
      ])
      const all = await store.keyStorageSample(SEALED)
      expect(all.plain).toBe(false)
      expect([`${SEALED}zero`, `${SEALED}one`]).toContain(all.sealed)
    })
  })
}
