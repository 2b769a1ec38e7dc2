// POST /api/keys/test-multiple and GET /api/keys/export (src/admin/keys-test-export.ts): tests run
// concurrently and mask keys; the export streams every key of the group, filtered by status.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { hashKey, maskKey } from '../src/secrets/crypto'
import { createTestApp, type TestApp } from './helpers/app'
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream'

let up: FakeUpstream
let t: TestApp
let groupId: number

beforeAll(async () => {
  up = await startFakeUpstream()
})
afterAll(async () => {
  await up.close()
})
beforeEach(async () => {
  up.setBehaviour({ default: null })
  t = await createTestApp({ fetch: undefined })
  const res = await t.api('POST', '/api/groups', {
    name: 'main',
    channel_type: 'openai',
    upstreams: [{ url: up.url, weight: 1 }],
    config: { blacklist_threshold: 1, key_validation_concurrency: 10 },
  })
  groupId = (await res.json()).data.id
})
afterEach(async () => {
  await t.close()
})

const makeKeys = (n: number, tag = 'k') =>
  Array.from({ length: n }, (_, i) => `sk-${tag}-${String(i).padStart(8, '0')}-abcdef`)

type TestResult = { key_value: string; is_valid: boolean; error: string }
const testKeys = async (keys: string[], query = '') => {
  const res = await t.api('POST', `/api/keys/test-multiple${query}`, {
    group_id: groupId,
    keys_text: keys.join('\n'),
  })
  const body = await res.json()
  return { status: res.status, body, results: (body.data?.results ?? []) as TestResult[] }
}

describe('POST /api/keys/test-multiple', () => {
  it('tests keys concurrently, bounded by key_validation_concurrency, and masks them', async () => {
    const keys = makeKeys(20)
    await t.core.keys.add(groupId, keys)
    up.setBehaviour({ default: { delayMs: 200 } })
    const started = Date.now()
    const { status, body, results } = await testKeys(keys)
    const took = Date.now() - started
    expect(status).toBe(200)
    // 20 keys × 200 ms: one by one would take 4 s; ten at a time takes two rounds.
    expect(took).toBeLessThan(1500)
    expect(took).toBeGreaterThanOrEqual(380)
    expect(body.data.total_duration).toBeGreaterThanOrEqual(380)
    expect(results).toEqual(keys.map((k) => ({ key_value: maskKey(k), is_valid: true, error: '' })))
  })

  it('reports unknown and rejected keys and reveals keys on request', async () => {
    const [good, bad] = makeKeys(2)
    await t.core.keys.add(groupId, [good!, bad!])
    up.setBehaviour({ [bad!]: { status: 401 } })
    const unknown = 'sk-unknown-0123456789'
    const { results } = await testKeys([good!, bad!, unknown], '?reveal=true')
    expect(results[0]).toEqual({ key_value: good, is_valid: true, error: '' })
    expect(results[1]).toMatchObject({ key_value: bad, is_valid: false })
    expect(results[1]!.error).toMatch(/status 401/)
    expect(results[1]!.error).not.toContain(bad)
    expect(results[2]).toEqual({
      key_value: unknown,
      is_valid: false,
      error: 'Key does not exist in this group or has been removed.',
    })
    // A rejected key counts as an auth failure (threshold 1 here), as in v1.
    await t.settle()
    const [badId] = await t.deps.store.findKeyIds(groupId, [await hashKey(bad!)], 'invalid')
    expect(badId).toBeTypeOf('number')
  })

  it('rejects empty lists, more than 5000 keys and unknown groups', async () => {
    expect((await testKeys([' '])).status).toBe(400)
    expect((await testKeys(makeKeys(5001))).status).toBe(400)
    const res = await t.api('POST', '/api/keys/test-multiple', { group_id: 999, keys_text: 'sk-1' })
    expect(res.status).toBe(404)
  })
})

describe('GET /api/keys/export', () => {
  const keys = makeKeys(2500)
  const dead = keys.slice(0, 3)

  beforeEach(async () => {
    await t.core.keys.add(groupId, keys)
    const ids = await t.deps.store.findKeyIds(groupId, await Promise.all(dead.map(hashKey)))
    for (const id of ids) {
      await t.core.keys.report(groupId, id, { kind: 'auth_failure' }, { blacklistThreshold: 1 })
    }
    await t.settle()
  })

  const exported = async (query: string) => {
    // The SPA downloads with `?key=`, without an Authorization header.
    const res = await t.app.request(`/api/keys/export?key=${t.authKey}&${query}`)
    return { res, lines: res.status === 200 ? (await res.text()).split('\n') : [] }
  }

  it('streams every key of the group as a text attachment', async () => {
    const { res, lines } = await exported(`group_id=${groupId}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/)
    expect(res.headers.get('content-disposition')).toBe('attachment; filename=keys-main-all.txt')
    expect(res.body).toBeInstanceOf(ReadableStream)
    expect(lines.pop()).toBe('')
    expect(lines).toEqual(keys)
  })

  it('filters by status', async () => {
    const invalid = await exported(`group_id=${groupId}&status=invalid`)
    expect(invalid.res.headers.get('content-disposition')).toContain('keys-main-invalid.txt')
    expect(invalid.lines.filter(Boolean)).toEqual(dead)
    const active = await exported(`group_id=${groupId}&status=active`)
    expect(active.lines.filter(Boolean)).toEqual(keys.slice(3))
  })

  it('answers 400 for a bad status, 404 for an unknown group and 401 without the key', async () => {
    expect((await exported(`group_id=${groupId}&status=gone`)).res.status).toBe(400)
    expect((await exported('group_id=999')).res.status).toBe(404)
    expect((await t.app.request(`/api/keys/export?group_id=${groupId}`)).status).toBe(401)
  })
})
