// KeyService: parsing, pool loading in batches, and the coalesced, off-hot-path health writes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AppError } from '../src/errors'
import { createKeyService, parseKeys } from '../src/keys/create-service'
import { createMemoryKeyPool } from '../src/keys/pool-memory'
import { createKeySecrets } from '../src/secrets/seal'
import type { KeyHealthUpdate, PoolKeyRow, Store } from '../src/store/types'
import { createTestApp, type TestApp } from './helpers/app'
import { groupInput } from './store.fixtures'

describe('parseKeys', () => {
  it('splits on whitespace, commas and semicolons, trims and dedupes', () => {
    expect(parseKeys(' a,b;c\n\td  a ,, ;')).toEqual(['a', 'b', 'c', 'd'])
    expect(parseKeys('')).toEqual([])
  })

  it('reads a JSON array of strings, and falls back to splitting otherwise', () => {
    expect(parseKeys('["k 1", " k2 ", "k2", ""]')).toEqual(['k 1', 'k2'])
    expect(parseKeys('[1, "a"]')).toEqual(['[1', '"a"]'])
  })

  it('rejects keys longer than 1000 characters', () => {
    expect(parseKeys('x'.repeat(1000))).toHaveLength(1)
    expect(() => parseKeys(`ok ${'x'.repeat(1001)}`)).toThrow(AppError)
  })
})

describe('loadPool', () => {
  it('reads each group in id order, 10,000 rows at a time', async () => {
    const calls: Array<[number, number]> = []
    const rows = (from: number, n: number): PoolKeyRow[] =>
      Array.from({ length: n }, (_, i) => ({
        id: from + i,
        key_value: `k${from + i}`,
        key_hash: `h${from + i}`,
        status: 'active',
        failure_count: 0,
      }))
    const store = {
      async loadKeys(groupId: number, afterId: number, limit: number) {
        calls.push([groupId, afterId])
        if (groupId === 2) return []
        return afterId === 0 ? rows(1, limit) : afterId === limit ? rows(limit + 1, 5) : []
      },
    } as unknown as Store
    const pool = createMemoryKeyPool()
    const keys = createKeyService(
      { store, pool, now: Date.now } as never,
      createKeySecrets(undefined, async () => ''),
    )
    await keys.loadPool([1, 2])
    expect(calls).toEqual([
      [1, 0],
      [1, 10_000],
      [2, 0],
    ])
    expect(await pool.counts(1, Date.now())).toEqual({ active: 10_005, cooling: 0, invalid: 0 })
  })
})

describe('health writes', () => {
  let t: TestApp
  let groupId: number
  let ids: number[]
  let writes: KeyHealthUpdate[][]
  let failNext: number
  let gate: Promise<void> | null

  beforeEach(async () => {
    t = await createTestApp()
    const g = await t.deps.store.createGroup(groupInput('g'))
    groupId = g.id
    writes = []
    failNext = 0
    gate = null
    const real = t.deps.store
    const store: Store = {
      ...real,
      async updateKeyHealth(updates) {
        if (failNext > 0) {
          failNext--
          throw new Error('database is locked')
        }
        writes.push(updates)
        if (gate) await gate
        return real.updateKeyHealth(updates)
      },
    }
    // The service under test shares the app's pool but writes through the spying store.
    t.core.keys = createKeyService({ ...t.deps, store }, t.core.secrets)
    await t.core.keys.add(groupId, ['k1', 'k2', 'k3'])
    ids = (await t.deps.store.loadKeys(groupId, 0, 10)).map((r) => r.id)
  })
  afterEach(async () => {
    await t.close()
  })

  const policy = { blacklistThreshold: 3 }
  const fail = (id: number) => t.core.keys.report(groupId, id, { kind: 'auth_failure' }, policy)

  it('does not wait for the write and coalesces changes by key', async () => {
    let release = () => {}
    gate = new Promise((r) => (release = r))
    // The reports resolve while the store write is still blocked.
    await Promise.all([fail(ids[0]), fail(ids[0]), fail(ids[1]), fail(ids[0])])
    expect(await t.deps.store.getKey(ids[0])).toMatchObject({ failure_count: 0 })
    release()
    await t.settle()
    const written = writes.flat()
    expect(new Set(written.map((w) => w.id)).size).toBe(written.length)
    expect(written).toHaveLength(2)
    expect(await t.deps.store.getKey(ids[0])).toMatchObject({ status: 'invalid', failure_count: 3 })
    expect(await t.deps.store.getKey(ids[1])).toMatchObject({ status: 'active', failure_count: 1 })
  })

  it('writes a reset on success after failures, and nothing for plain successes or 429s', async () => {
    await fail(ids[0])
    await t.settle()
    writes = []
    await t.core.keys.report(groupId, ids[0], { kind: 'success' }, policy)
    await t.core.keys.report(groupId, ids[1], { kind: 'success' }, policy)
    await t.core.keys.report(
      groupId,
      ids[2],
      { kind: 'rate_limited', until: Date.now() + 60_000 },
      policy,
    )
    await t.settle()
    expect(writes).toEqual([[{ id: ids[0], status: 'active', failure_count: 0 }]])
  })

  it('keeps changes when the store fails and writes them on flush', async () => {
    failNext = 1
    await fail(ids[2])
    await t.settle()
    expect(writes).toEqual([])
    expect(t.logs.some((l) => l.level === 'error' && l.msg.includes('key health'))).toBe(true)
    await t.core.keys.flush()
    expect(writes.flat()).toEqual([{ id: ids[2], status: 'active', failure_count: 1 }])
    expect(await t.deps.store.getKey(ids[2])).toMatchObject({ failure_count: 1 })
  })

  it('gives up on flush after a few tries rather than hanging', async () => {
    failNext = 100
    await fail(ids[0])
    await t.core.keys.flush()
    expect(writes).toEqual([])
    failNext = 0
  })
})
