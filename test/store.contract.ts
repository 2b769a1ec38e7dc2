// The Store contract: one suite that every Store implementation must pass. Each test gets a fresh
// store from `make`, so tests never see each other's rows.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { GroupInput, NewKey, RequestLog, Store } from '../src/store/types'

type MakeStore = () => Promise<{ store: Store; close: () => Promise<void> }>

const HOUR = 3_600_000
const T0 = Date.UTC(2025, 0, 15, 10, 0, 0)

const groupInput = (name: string, over: Partial<GroupInput> = {}): GroupInput => ({
  name,
  display_name: name.toUpperCase(),
  description: '',
  group_type: 'standard',
  upstreams: [{ url: 'https://api.example.com', weight: 1 }],
  channel_type: 'openai',
  sort: 0,
  test_model: 'gpt-4o-mini',
  validation_endpoint: '',
  param_overrides: {},
  model_redirect_rules: {},
  model_redirect_strict: false,
  config: {},
  header_rules: [],
  proxy_keys: '',
  ...over,
})

const newKeys = (n: number, prefix = 'k'): NewKey[] =>
  Array.from({ length: n }, (_, i) => ({ key_value: `sk-${prefix}-${i}`, key_hash: `h-${prefix}-${i}` }))

let logSeq = 0
const logRow = (over: Partial<RequestLog> = {}): RequestLog => ({
  id: `log-${String(++logSeq).padStart(8, '0')}`,
  timestamp: new Date(T0),
  group_id: 1,
  group_name: 'alpha',
  parent_group_id: 0,
  parent_group_name: '',
  key_hash: 'h-k-0',
  key_masked: 'sk-k...0',
  model: 'gpt-4o',
  is_success: true,
  source_ip: '10.0.0.1',
  status_code: 200,
  request_path: '/proxy/alpha/v1/chat/completions',
  duration_ms: 120,
  error_message: '',
  user_agent: 'vitest',
  request_type: 'final',
  upstream_addr: 'https://api.example.com/v1/chat/completions',
  is_stream: false,
  request_body: '{"model":"gpt-4o"}',
  ...over,
})

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
        expect(u).toMatchObject({ id: g.id, name: 'alpha', display_name: 'A', model_redirect_strict: true })
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
        expect(await store.countKeys(a.id)).toEqual({ total: 0, active: 0, invalid: 0 })
        expect((await store.countKeys(null)).total).toBe(2)
        expect(await store.deleteGroup(a.id)).toBe(false)
      })
    })

    describe('keys', () => {
      let gid: number
      let other: number
      beforeEach(async () => {
        gid = (await store.createGroup(groupInput('alpha'))).id
        other = (await store.createGroup(groupInput('beta'))).id
      })

      it('adds keys, deduping within the input and against the group', async () => {
        const first = await store.addKeys(gid, [...newKeys(3), newKeys(1)[0]])
        expect(first.map((k) => k.key_value)).toEqual(['sk-k-0', 'sk-k-1', 'sk-k-2'])
        expect(first[0]).toEqual({ id: first[0].id, key_value: 'sk-k-0', status: 'active', failure_count: 0 })
        const second = await store.addKeys(gid, newKeys(5))
        expect(second.map((k) => k.key_value)).toEqual(['sk-k-3', 'sk-k-4'])
        expect(await store.addKeys(gid, [])).toEqual([])
        expect(await store.addKeys(other, newKeys(2))).toHaveLength(2)
        expect((await store.countKeys(gid)).total).toBe(5)
        const key = await store.getKey(first[1].id)
        expect(key).toMatchObject({ group_id: gid, key_value: 'sk-k-1', key_hash: 'h-k-1', notes: '' })
        expect(key).toMatchObject({ request_count: 0, failure_count: 0, last_used_at: null })
        expect(await store.getKey(999_999)).toBeNull()
      })

      it('pages keys by last use (never-used last), then id desc, with filters', async () => {
        const keys = await store.addKeys(gid, newKeys(5))
        await store.addKeys(other, newKeys(5))
        await store.insertLogs([
          logRow({ group_id: gid, key_hash: 'h-k-1', timestamp: new Date(T0) }),
          logRow({ group_id: gid, key_hash: 'h-k-3', timestamp: new Date(T0 + 1000) }),
        ])
        await store.updateKeyHealth([{ id: keys[2].id, status: 'invalid', failure_count: 3 }])
        const all = await store.listKeys({ group_id: gid, page: 1, page_size: 10 })
        expect(all.total).toBe(5)
        expect(all.items.map((k) => k.key_value)).toEqual(['sk-k-3', 'sk-k-1', 'sk-k-4', 'sk-k-2', 'sk-k-0'])
        const page2 = await store.listKeys({ group_id: gid, page: 2, page_size: 2 })
        expect(page2).toMatchObject({ total: 5, items: [{ key_value: 'sk-k-4' }, { key_value: 'sk-k-2' }] })
        const invalid = await store.listKeys({ group_id: gid, status: 'invalid', page: 1, page_size: 10 })
        expect(invalid).toMatchObject({ total: 1, items: [{ id: keys[2].id, failure_count: 3 }] })
        const byHash = await store.listKeys({ group_id: gid, key_hash: 'h-k-4', page: 1, page_size: 10 })
        expect(byHash).toMatchObject({ total: 1, items: [{ id: keys[4].id }] })
      })

      it('loads a group in id batches, optionally by status', async () => {
        const keys = await store.addKeys(gid, newKeys(25))
        await store.addKeys(other, newKeys(5, 'o'))
        const seen: number[] = []
        for (let after = 0; ; ) {
          const batch = await store.loadKeys(gid, after, 10)
          if (batch.length === 0) break
          seen.push(...batch.map((k) => k.id))
          after = batch[batch.length - 1].id
        }
        expect(seen).toEqual(keys.map((k) => k.id))
        await store.updateKeyHealth([{ id: keys[7].id, status: 'invalid', failure_count: 3 }])
        expect(await store.loadKeys(gid, 0, 100, 'invalid')).toEqual([
          { id: keys[7].id, key_value: 'sk-k-7', status: 'invalid', failure_count: 3 },
        ])
        expect(await store.loadKeys(gid, 0, 100, 'active')).toHaveLength(24)
      })

      it('finds ids by hash, beyond one statement and by status', async () => {
        const keys = await store.addKeys(gid, newKeys(250))
        await store.addKeys(other, newKeys(250))
        const hashes = [...newKeys(250).map((k) => k.key_hash), 'h-missing']
        expect((await store.findKeyIds(gid, hashes)).sort((a, b) => a - b)).toEqual(keys.map((k) => k.id))
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
        expect((await store.clearKeys(gid, 'invalid')).sort()).toEqual([keys[0].id, keys[2].id].sort())
        expect((await store.clearKeys(gid)).sort()).toEqual([keys[1].id, keys[3].id].sort())
        expect(await store.countKeys(gid)).toEqual({ total: 0, active: 0, invalid: 0 })
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
        const restored = await store.restoreKeys(gid, [keys[0].id, keys[1].id, keys[4].id, foreign[0].id])
        expect(restored.sort()).toEqual([keys[0].id, keys[1].id].sort())
        expect(await store.getKey(keys[1].id)).toMatchObject({ status: 'active', failure_count: 0 })
        expect((await store.restoreKeys(gid, 'all-invalid')).sort()).toEqual([keys[2].id, keys[3].id].sort())
        expect(await store.countKeys(gid)).toEqual({ total: 5, active: 5, invalid: 0 })
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
        expect(await store.getKey(k.id)).toMatchObject({ notes: 'primary', status: 'active', failure_count: 1 })
        await store.updateKeyHealth([])
      })

      it('counts keys per group and globally', async () => {
        const keys = await store.addKeys(gid, newKeys(4))
        await store.addKeys(other, newKeys(3))
        await store.updateKeyHealth([{ id: keys[0].id, status: 'invalid', failure_count: 3 }])
        expect(await store.countKeys(gid)).toEqual({ total: 4, active: 3, invalid: 1 })
        expect(await store.countKeys(other)).toEqual({ total: 3, active: 3, invalid: 0 })
        expect(await store.countKeys(null)).toEqual({ total: 7, active: 6, invalid: 1 })
        expect(await store.countKeys(999_999)).toEqual({ total: 0, active: 0, invalid: 0 })
      })

      it('adds 100,000 keys in bulk', { timeout: 120_000 }, async () => {
        const keys = newKeys(100_000, 'bulk')
        const started = performance.now()
        const added = await store.addKeys(gid, keys)
        const ms = performance.now() - started
        console.log(`[${name}] addKeys(100,000): ${ms.toFixed(0)} ms`)
        expect(added).toHaveLength(100_000)
        expect(new Set(added.map((k) => k.id)).size).toBe(100_000)
        expect(await store.countKeys(gid)).toEqual({ total: 100_000, active: 100_000, invalid: 0 })
        expect(await store.addKeys(gid, [...keys.slice(0, 1000), ...newKeys(10, 'more')])).toHaveLength(10)
      })
    })

    describeLogs(() => store)
  })
}

function describeLogs(get: () => Store) {
  describe('logs and stats', () => {
    it('round-trips rows, newest first, with paging and total', async () => {
      const rows = Array.from({ length: 23 }, (_, i) => logRow({ timestamp: new Date(T0 + i * 1000) }))
      await get().insertLogs(rows)
      await get().insertLogs([])
      const page1 = await get().queryLogs({ page: 1, page_size: 10 })
      expect(page1.total).toBe(23)
      expect(page1.items[0]).toEqual(rows[22])
      const page3 = await get().queryLogs({ page: 3, page_size: 10 })
      expect(page3.items.map((r) => r.id)).toEqual([rows[2].id, rows[1].id, rows[0].id])
    })

    it('filters by every LogQuery field', async () => {
      const s = get()
      const rows = [
        logRow({ group_name: 'alpha', parent_group_name: 'agg-main', parent_group_id: 9 }),
        logRow({ group_name: 'beta', model: 'gemini-2.5-pro', key_hash: 'h-x', timestamp: new Date(T0 + 5000) }),
        logRow({ is_success: false, status_code: 429, request_type: 'retry', error_message: 'Rate limit hit' }),
        logRow({ source_ip: '10.0.0.2', model: 'a_b', timestamp: new Date(T0 + 10_000) }),
        logRow({ model: 'axb' }),
      ]
      await s.insertLogs(rows)
      const ids = async (q: Omit<Parameters<Store['queryLogs']>[0], 'page' | 'page_size'>) =>
        (await s.queryLogs({ page: 1, page_size: 50, ...q })).items.map((r) => r.id).sort()
      const [a, b, c, d, e] = rows.map((r) => r.id)
      expect(await ids({ parent_group_name: 'main' })).toEqual([a])
      expect(await ids({ group_name: 'et' })).toEqual([b])
      expect(await ids({ model: 'gemini' })).toEqual([b])
      expect(await ids({ model: 'a_b' })).toEqual([d])
      expect(await ids({ key_hash: 'h-x' })).toEqual([b])
      expect(await ids({ is_success: false })).toEqual([c])
      expect(await ids({ is_success: true })).toEqual([a, b, d, e].sort())
      expect(await ids({ request_type: 'retry' })).toEqual([c])
      expect(await ids({ status_code: 429 })).toEqual([c])
      expect(await ids({ source_ip: '10.0.0.2' })).toEqual([d])
      expect(await ids({ error_contains: 'limit' })).toEqual([c])
      expect(await ids({ start_time: new Date(T0 + 5000) })).toEqual([b, d].sort())
      expect(await ids({ end_time: new Date(T0 + 5000) })).toEqual([a, b, c, e].sort())
      expect(await ids({ start_time: new Date(T0 + 5000), end_time: new Date(T0 + 5000) })).toEqual([b])
      expect(await ids({ group_name: 'alpha', is_success: true, model: 'gpt' })).toEqual([a])
    })

    it('rolls final rows into hourly stats for the group and its parent', async () => {
      const s = get()
      await s.insertLogs([
        logRow({ group_id: 1, timestamp: new Date(T0) }),
        logRow({ group_id: 1, timestamp: new Date(T0 + HOUR - 1), is_success: false }),
        logRow({ group_id: 1, timestamp: new Date(T0 + 5), is_success: false, request_type: 'retry' }),
        logRow({ group_id: 2, parent_group_id: 9, timestamp: new Date(T0 + HOUR + 7) }),
      ])
      await s.insertLogs([logRow({ group_id: 1, timestamp: new Date(T0 + 30_000) })])
      const stats = await s.hourlyStats(new Date(T0 - HOUR), new Date(T0 + 3 * HOUR))
      expect(stats).toEqual([
        { time: new Date(T0), group_id: 1, success_count: 2, failure_count: 1 },
        { time: new Date(T0 + HOUR), group_id: 2, success_count: 1, failure_count: 0 },
        { time: new Date(T0 + HOUR), group_id: 9, success_count: 1, failure_count: 0 },
      ])
      expect(await s.hourlyStats(new Date(T0), new Date(T0 + HOUR))).toHaveLength(1)
      expect(await s.hourlyStats(new Date(T0), new Date(T0 + 3 * HOUR), 9)).toEqual([stats[2]])
    })

    it('counts successful uses per key and keeps the latest use', async () => {
      const s = get()
      const gid = (await s.createGroup(groupInput('alpha'))).id
      const other = (await s.createGroup(groupInput('beta'))).id
      const [k0, k1] = await s.addKeys(gid, newKeys(2))
      const [o0] = await s.addKeys(other, newKeys(1))
      await s.insertLogs([
        logRow({ group_id: gid, key_hash: 'h-k-0', timestamp: new Date(T0 + 2000) }),
        logRow({ group_id: gid, key_hash: 'h-k-0', timestamp: new Date(T0 + 1000) }),
        logRow({ group_id: gid, key_hash: 'h-k-1', is_success: false, status_code: 500 }),
      ])
      await s.insertLogs([logRow({ group_id: gid, key_hash: 'h-k-0', timestamp: new Date(T0) })])
      expect(await s.getKey(k0.id)).toMatchObject({ request_count: 3, last_used_at: new Date(T0 + 2000) })
      expect(await s.getKey(k1.id)).toMatchObject({ request_count: 0, last_used_at: null })
      expect(await s.getKey(o0.id)).toMatchObject({ request_count: 0, last_used_at: null })
    })

    it('writes a batch atomically: a failing row leaves no stats or usage behind', async () => {
      const s = get()
      const gid = (await s.createGroup(groupInput('alpha'))).id
      const [k] = await s.addKeys(gid, newKeys(1))
      const first = logRow({ group_id: gid })
      await s.insertLogs([first])
      const again = Array.from({ length: 12 }, () => logRow({ group_id: gid }))
      await expect(s.insertLogs([...again, first])).rejects.toThrow()
      expect((await s.queryLogs({ page: 1, page_size: 50 })).total).toBe(1)
      expect(await s.getKey(k.id)).toMatchObject({ request_count: 1 })
      const [stat] = await s.hourlyStats(new Date(T0), new Date(T0 + HOUR))
      expect(stat).toMatchObject({ success_count: 1 })
    })

    it('inserts large batches and deletes logs strictly before a time', async () => {
      const s = get()
      const rows = Array.from({ length: 230 }, (_, i) =>
        logRow({ key_hash: `h-${i % 40}`, timestamp: new Date(T0 + i * 60_000) }),
      )
      await s.insertLogs(rows)
      expect((await s.queryLogs({ page: 1, page_size: 1 })).total).toBe(230)
      expect(await s.deleteLogsBefore(new Date(T0 + 100 * 60_000))).toBe(100)
      expect(await s.deleteLogsBefore(new Date(T0))).toBe(0)
      const left = await s.queryLogs({ page: 1, page_size: 500 })
      expect(left.total).toBe(130)
      expect(left.items.at(-1)?.timestamp).toEqual(new Date(T0 + 100 * 60_000))
    })
  })
}
