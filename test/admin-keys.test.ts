// Admin API: a group's upstream keys. Every change must reach both the store and the key pool.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { hashKey, maskKey } from '../src/secrets/crypto'
import { createTestApp, type TestApp } from './helpers/app'

let t: TestApp
let groupId: number

beforeEach(async () => {
  t = await createTestApp()
  const res = await t.api('POST', '/api/groups', {
    name: 'main',
    channel_type: 'openai',
    upstreams: [{ url: 'https://api.openai.com', weight: 1 }],
  })
  groupId = (await res.json()).data.id
})
afterEach(async () => {
  await t.close()
})

const post = async (path: string, body: unknown) => {
  const res = await t.api('POST', `/api/keys/${path}`, body)
  return { status: res.status, body: await res.json() }
}

const list = async (query: string) => {
  const res = await t.api('GET', `/api/keys?group_id=${groupId}&${query}`)
  return { status: res.status, body: await res.json() }
}

const poolIds = async () => {
  const ids = new Set<number>()
  const { active } = await t.deps.pool.counts(groupId, Date.now())
  for (let i = 0; i < active; i++) ids.add((await t.deps.pool.pick(groupId, Date.now()))!.id)
  return ids
}

/** Blacklists keys through the proxy's path (report → pool → queued health write). */
const blacklist = async (ids: number[]) => {
  for (const id of ids) {
    await t.core.keys.report(groupId, id, { kind: 'auth_failure' }, { blacklistThreshold: 1 })
  }
  await t.settle()
}

const KEY_A = 'sk-aaaaaaaaaaaaaaaaaaaaaaaa'
const KEY_B = 'sk-bbbbbbbbbbbbbbbbbbbbbbbb'
const KEY_C = 'sk-cccccccccccccccccccccccc'

describe('POST /api/keys/add-multiple', () => {
  it('adds new keys, ignores duplicates and puts them in the pool', async () => {
    const first = await post('add-multiple', {
      group_id: groupId,
      keys_text: `${KEY_A}\n${KEY_B}, ${KEY_A};`,
    })
    expect(first).toEqual({
      status: 200,
      body: {
        code: 0,
        message: 'Success',
        data: { added_count: 2, ignored_count: 0, total_in_group: 2 },
      },
    })
    const second = await post('add-multiple', {
      group_id: groupId,
      keys_text: JSON.stringify([KEY_B, KEY_C]),
    })
    expect(second.body.data).toEqual({ added_count: 1, ignored_count: 1, total_in_group: 3 })
    expect((await poolIds()).size).toBe(3)
    expect(await t.deps.store.countKeys(groupId)).toMatchObject({ total: 3, active: 3 })
  })

  const bad: Array<[string, unknown, number, string]> = [
    ['no group_id', { keys_text: KEY_A }, 400, 'group_id: is required'],
    [
      'group_id as a string',
      { group_id: '1', keys_text: KEY_A },
      400,
      'group_id: must be an integer',
    ],
    [
      'keys_text not a string',
      { group_id: 1, keys_text: [KEY_A] },
      400,
      'keys_text: must be a string',
    ],
    ['no keys', { group_id: 1, keys_text: ' ,; \n' }, 400, 'keys_text: no keys found'],
    [
      'a key over 1000 characters',
      { group_id: 1, keys_text: 'k'.repeat(1001) },
      400,
      'keys_text: ',
    ],
    [
      'more than 5000 keys',
      { group_id: 1, keys_text: Array.from({ length: 5001 }, (_, i) => `k-${i}`).join(' ') },
      400,
      'at most 5000',
    ],
    ['an unknown group', { group_id: 9999, keys_text: KEY_A }, 404, 'Group 9999 not found'],
    ['malformed JSON', '{"group_id":1,', 400, ''],
  ]

  it.each(bad)('rejects %s and writes nothing', async (_label, body, status, message) => {
    const b =
      typeof body === 'object' && body && 'group_id' in body && body.group_id === 1
        ? { ...body, group_id: groupId }
        : body
    const r = await post('add-multiple', b)
    expect(r.status).toBe(status)
    expect(r.body.message).toContain(message)
    expect(await t.deps.store.countKeys(groupId)).toMatchObject({ total: 0 })
    expect(await t.deps.pool.pick(groupId, Date.now())).toBeNull()
  })
})

describe('GET /api/keys', () => {
  beforeEach(async () => {
    await post('add-multiple', { group_id: groupId, keys_text: [KEY_A, KEY_B, KEY_C].join('\n') })
  })

  it('lists masked keys with v1 fields and pagination', async () => {
    const r = await list('page_size=2')
    expect(r.status).toBe(200)
    const { items, pagination } = r.body.data
    expect(pagination).toEqual({ page: 1, page_size: 2, total_items: 3, total_pages: 2 })
    expect(items).toHaveLength(2)
    expect(Object.keys(items[0]).sort()).toEqual([
      'created_at',
      'enabled',
      'failure_count',
      'group_id',
      'id',
      'key_hash',
      'key_value',
      'last_used_at',
      'notes',
      'request_count',
      'status',
      'updated_at',
    ])
    for (const k of items) {
      expect([KEY_A, KEY_B, KEY_C].map(maskKey)).toContain(k.key_value)
      expect(k.key_value).not.toMatch(/^sk-[abc]{24}$/)
    }
    const page2 = await list('page_size=2&page=2')
    expect(page2.body.data.items).toHaveLength(1)
  })

  it('reveals keys only with reveal=true', async () => {
    const r = await list('reveal=true')
    expect(r.body.data.items.map((k: { key_value: string }) => k.key_value).sort()).toEqual([
      KEY_A,
      KEY_B,
      KEY_C,
    ])
  })

  it('filters by exact key value and by status', async () => {
    const byKey = await list(`key_value=${KEY_B}`)
    expect(byKey.body.data.items).toHaveLength(1)
    expect(byKey.body.data.items[0].key_hash).toBe(await hashKey(KEY_B))
    expect((await list('key_value=sk-bbbb')).body.data.items).toHaveLength(0)
    expect((await list('status=invalid')).body.data.pagination.total_items).toBe(0)
    expect((await list('status=active&status=')).body.data.pagination.total_items).toBe(3)
  })

  it('rejects bad queries with 400 and an unknown group with 404', async () => {
    expect((await t.api('GET', '/api/keys')).status).toBe(400)
    for (const q of ['status=gone', 'page=0', 'page=x', 'page_size=-1', 'reveal=maybe']) {
      const r = await list(q)
      expect(r.status, q).toBe(400)
      expect(r.body.code).toBe('VALIDATION_FAILED')
    }
    expect((await t.api('GET', '/api/keys?group_id=9999')).status).toBe(404)
  })

  it('clamps page_size to 1000', async () => {
    expect((await list('page_size=5000')).body.data.pagination.page_size).toBe(1000)
  })
})

describe('delete, restore and clear', () => {
  let ids: Map<string, number>

  beforeEach(async () => {
    await post('add-multiple', { group_id: groupId, keys_text: [KEY_A, KEY_B, KEY_C].join(' ') })
    const items = (await list('reveal=true')).body.data.items as Array<{
      id: number
      key_value: string
    }>
    ids = new Map(items.map((k) => [k.key_value, k.id]))
  })

  it('deletes listed keys from the store and the pool', async () => {
    const r = await post('delete-multiple', { group_id: groupId, keys_text: `${KEY_A} sk-unknown` })
    expect(r.body.data).toEqual({ deleted_count: 1, ignored_count: 1, total_in_group: 2 })
    expect(await poolIds()).toEqual(new Set([ids.get(KEY_B), ids.get(KEY_C)]))
  })

  it('persists blacklisting off the hot path and restores listed keys', async () => {
    await blacklist([ids.get(KEY_A)!, ids.get(KEY_B)!])
    expect(await t.deps.store.countKeys(groupId)).toMatchObject({ active: 1, invalid: 2 })
    expect((await list('status=invalid')).body.data.items[0]).toMatchObject({
      status: 'invalid',
      failure_count: 1,
    })

    const r = await post('restore-multiple', { group_id: groupId, keys_text: `${KEY_A} ${KEY_C}` })
    expect(r.body.data).toEqual({ restored_count: 1, ignored_count: 1, total_in_group: 3 })
    expect(await poolIds()).toEqual(new Set([ids.get(KEY_A), ids.get(KEY_C)]))
    expect(await t.deps.store.getKey(ids.get(KEY_A)!)).toMatchObject({
      status: 'active',
      failure_count: 0,
    })
  })

  it('restores all invalid keys', async () => {
    await blacklist([ids.get(KEY_A)!, ids.get(KEY_B)!])
    const r = await post('restore-all-invalid', { group_id: groupId })
    expect(r.body).toEqual({ code: 0, message: '2 keys restored' })
    expect((await poolIds()).size).toBe(3)
    expect(await t.deps.store.countKeys(groupId)).toMatchObject({ active: 3, invalid: 0 })
  })

  it('restores a key blacklisted moments ago, before its health write has landed', async () => {
    await t.core.keys.report(
      groupId,
      ids.get(KEY_A)!,
      { kind: 'auth_failure' },
      { blacklistThreshold: 1 },
    )
    const r = await post('restore-all-invalid', { group_id: groupId })
    expect(r.body.message).toBe('1 keys restored')
    await t.settle()
    expect(await t.deps.store.countKeys(groupId)).toMatchObject({ active: 3, invalid: 0 })
  })

  it('clears invalid keys, then all keys', async () => {
    await blacklist([ids.get(KEY_C)!])
    const invalid = await post('clear-all-invalid', { group_id: groupId })
    expect(invalid.body).toEqual({ code: 0, message: '1 invalid keys cleared' })
    expect(await t.deps.store.countKeys(groupId)).toMatchObject({ total: 2 })
    const all = await post('clear-all', { group_id: groupId })
    expect(all.body).toEqual({ code: 0, message: '2 keys cleared' })
    expect(await t.deps.store.countKeys(groupId)).toMatchObject({ total: 0 })
    expect(await t.deps.pool.pick(groupId, Date.now())).toBeNull()
  })

  it('rejects bad input and unknown groups without changing anything', async () => {
    await blacklist([ids.get(KEY_A)!])
    for (const path of ['restore-all-invalid', 'clear-all-invalid', 'clear-all']) {
      expect((await post(path, { group_id: 9999 })).status).toBe(404)
      expect((await post(path, {})).status).toBe(400)
      expect((await post(path, { group_id: 'x' })).status).toBe(400)
    }
    for (const path of ['delete-multiple', 'restore-multiple']) {
      expect((await post(path, { group_id: 9999, keys_text: KEY_A })).status).toBe(404)
      expect((await post(path, { group_id: groupId, keys_text: '' })).status).toBe(400)
    }
    expect(await t.deps.store.countKeys(groupId)).toMatchObject({ total: 3, active: 2, invalid: 1 })
    expect((await poolIds()).size).toBe(2)
  })
})

describe('PUT /api/keys/:id/notes', () => {
  it('stores trimmed notes and validates them', async () => {
    await post('add-multiple', { group_id: groupId, keys_text: KEY_A })
    const id = (await list('')).body.data.items[0].id
    const res = await t.api('PUT', `/api/keys/${id}/notes`, { notes: '  team ml  ' })
    expect(res.status).toBe(200)
    expect((await t.deps.store.getKey(id))?.notes).toBe('team ml')

    const cases: Array<[string, unknown, number]> = [
      [`/api/keys/${id}/notes`, { notes: 'x'.repeat(256) }, 400],
      [`/api/keys/${id}/notes`, { notes: 5 }, 400],
      [`/api/keys/${id}/notes`, {}, 400],
      ['/api/keys/abc/notes', { notes: 'x' }, 400],
      ['/api/keys/9999/notes', { notes: 'x' }, 404],
    ]
    for (const [path, body, status] of cases)
      expect((await t.api('PUT', path, body)).status).toBe(status)
    // 255 characters counted as characters, not UTF-16 units.
    expect((await t.api('PUT', `/api/keys/${id}/notes`, { notes: '🔑'.repeat(255) })).status).toBe(
      200,
    )
    expect((await t.deps.store.getKey(id))?.notes).toBe('🔑'.repeat(255))
  })
})
