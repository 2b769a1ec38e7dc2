// Key tasks (src/keys/tasks.ts, src/admin/key-tasks.ts): one at a time (409 while one runs), true 4xx
// for bad starts with nothing written, progress up to the total, a crash that frees the lock, and
// import, delete and group validation against the loopback fake upstream.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { hashKey } from '../src/secrets/crypto'
import type { TaskStatus } from '../src/keys/tasks'
import { createTestApp, type TestApp } from './helpers/app'
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream'
import { sleep } from './helpers/wait'

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
  up.requests.length = 0
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

const post = async (path: string, body: unknown, headers?: Record<string, string>) => {
  const res = await t.api('POST', path, body, headers)
  return { status: res.status, body: await res.json() }
}
const taskStatus = async (): Promise<TaskStatus> =>
  (await (await t.api('GET', '/api/tasks/status')).json()).data
const keyCount = async () => (await t.deps.store.countKeys(groupId)).total
const makeKeys = (n: number, tag = 'k') =>
  Array.from({ length: n }, (_, i) => `sk-${tag}-${String(i).padStart(8, '0')}-abcdef`)

describe('GET /api/tasks/status', () => {
  it('reports an idle status when no task has run', async () => {
    expect(await taskStatus()).toEqual({
      task_type: '',
      is_running: false,
      group_name: '',
      processed: 0,
      total: 0,
      started_at: null,
    })
  })
})

describe('starting a task', () => {
  it('answers bad starts with their true 4xx and writes nothing', async () => {
    const add = (body: unknown) => post('/api/keys/add-async', body)
    expect((await add({ group_id: 999, keys_text: 'sk-a-123456' })).status).toBe(404)
    expect(await add({ group_id: groupId, keys_text: ' ,; ' })).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED' },
    })
    expect((await add({ keys_text: 'sk-a-123456' })).status).toBe(400)
    expect((await post('/api/keys/add-async', '{not json')).body.code).toBe('INVALID_JSON')
    expect((await post('/api/keys/delete-async', { group_id: 999, keys_text: 'x' })).status).toBe(
      404,
    )
    const validate = await post('/api/keys/validate-group', { group_id: groupId, status: 'all' })
    expect(validate.status).toBe(400)
    expect((await post('/api/keys/validate-group', { group_id: 999 })).status).toBe(404)

    const form = new FormData()
    form.set('group_id', String(groupId))
    form.set('file', new File(['sk-a-123456'], 'keys.csv'))
    const res = await t.app.request('/api/keys/add-async', {
      method: 'POST',
      headers: { authorization: `Bearer ${t.authKey}` },
      body: form,
    })
    expect(res.status).toBe(400)

    expect(await keyCount()).toBe(0)
    expect((await taskStatus()).task_type).toBe('')
  })

  it('refuses a second task with 409 while one runs, then allows the next', async () => {
    await t.core.keys.add(groupId, makeKeys(3))
    up.setBehaviour({ default: { delayMs: 300 } })
    const first = await post('/api/keys/validate-group', { group_id: groupId })
    expect(first.status).toBe(200)
    expect(first.body.data).toMatchObject({
      task_type: 'KEY_VALIDATION',
      is_running: true,
      group_name: 'main',
      total: 3,
    })
    const second = await post('/api/keys/add-async', {
      group_id: groupId,
      keys_text: 'sk-new-1234',
    })
    expect(second).toMatchObject({ status: 409, body: { code: 'TASK_IN_PROGRESS' } })
    expect(await keyCount()).toBe(3)

    await t.settle()
    const done = await taskStatus()
    expect(done).toMatchObject({ is_running: false, processed: 3, total: 3 })
    expect(done.result).toEqual({ total_keys: 3, valid_keys: 3, invalid_keys: 0 })
    expect(done.duration_seconds).toBeGreaterThanOrEqual(0.25)
    up.setBehaviour({ default: null })
    expect(
      (await post('/api/keys/add-async', { group_id: groupId, keys_text: 'sk-n-12' })).status,
    ).toBe(200)
  })

  it('frees the lock and records the error when a task crashes', async () => {
    // A group gone by the time the task runs: the task fails with that error.
    await t.core.tasks.start({
      type: 'KEY_IMPORT',
      groupId: 999,
      groupName: 'main',
      total: 1,
      keys: ['sk-x-1234'],
    })
    await t.settle()
    expect(await taskStatus()).toMatchObject({
      is_running: false,
      error: 'Group 999 not found',
    })
    const next = await post('/api/keys/add-async', { group_id: groupId, keys_text: 'sk-x-1234' })
    expect(next.status).toBe(200)
  })
})

describe('POST /api/keys/add-async and delete-async', () => {
  it('imports 20,000 keys in chunks with progress up to the total', async () => {
    const keys = makeKeys(20_000)
    const res = await post('/api/keys/add-async', {
      group_id: groupId,
      keys_text: `${keys.join('\n')}\n${keys[0]}`,
    })
    expect(res.body.data).toMatchObject({
      task_type: 'KEY_IMPORT',
      is_running: true,
      total: 20_000,
    })
    const seen: number[] = []
    for (let s = await taskStatus(); s.is_running; s = await taskStatus()) {
      seen.push(s.processed)
      await sleep(5)
    }
    await t.settle()
    expect([...seen].sort((a, b) => a - b)).toEqual(seen)
    // Progress is visible while the import runs, not only at the end.
    expect(seen.some((n) => n > 0 && n < 20_000)).toBe(true)
    const done = await taskStatus()
    expect(done).toMatchObject({ processed: 20_000, total: 20_000 })
    expect(done.result).toEqual({ added_count: 20_000, ignored_count: 0 })
    expect(await keyCount()).toBe(20_000)
    expect((await t.deps.pool.counts(groupId, Date.now())).active).toBe(20_000)
  })

  it('imports a multipart .txt upload', async () => {
    const form = new FormData()
    form.set('group_id', String(groupId))
    form.set('file', new File([makeKeys(5).join('\n')], 'keys.txt', { type: 'text/plain' }))
    const res = await t.app.request('/api/keys/add-async', {
      method: 'POST',
      headers: { authorization: `Bearer ${t.authKey}` },
      body: form,
    })
    expect(res.status).toBe(200)
    await t.settle()
    expect((await taskStatus()).result).toEqual({ added_count: 5, ignored_count: 0 })
    expect(await keyCount()).toBe(5)
  })

  it('deletes the listed keys and ignores unknown ones', async () => {
    const keys = makeKeys(2500)
    await t.core.keys.add(groupId, keys)
    const gone = [...keys.slice(0, 1500), 'sk-unknown-123456']
    const res = await post('/api/keys/delete-async', {
      group_id: groupId,
      keys_text: gone.join(','),
    })
    expect(res.body.data).toMatchObject({ task_type: 'KEY_DELETE', total: 1501 })
    await t.settle()
    expect(await taskStatus()).toMatchObject({
      processed: 1501,
      result: { deleted_count: 1500, ignored_count: 1 },
    })
    expect(await keyCount()).toBe(1000)
    expect((await t.deps.pool.counts(groupId, Date.now())).active).toBe(1000)
  })
})

describe('POST /api/keys/validate-group', () => {
  const REVIVE = 'sk-revive-0123456789'
  const DEAD = 'sk-dead-0123456789'
  const FLAKY = 'sk-flaky-0123456789'
  const OK = 'sk-ok-0123456789'

  const keyRows = async () => {
    const res = await t.api('GET', `/api/keys?group_id=${groupId}&reveal=true&page_size=100`)
    const items: Array<{ key_value: string; status: string; failure_count: number }> = (
      await res.json()
    ).data.items
    return Object.fromEntries(items.map((k) => [k.key_value, k]))
  }

  beforeEach(async () => {
    await t.core.keys.add(groupId, [REVIVE, DEAD, FLAKY, OK])
    const [reviveId] = await t.deps.store.findKeyIds(groupId, [await hashKey(REVIVE)])
    await t.core.keys.report(
      groupId,
      reviveId!,
      { kind: 'auth_failure' },
      { blacklistThreshold: 1 },
    )
    await t.settle()
    up.setBehaviour({ [DEAD]: { status: 401 }, [FLAKY]: { status: 500 } })
  })

  it('restores keys the upstream accepts and blacklists only real rejections', async () => {
    expect((await keyRows())[REVIVE].status).toBe('invalid')
    await post('/api/keys/validate-group', { group_id: groupId })
    await t.settle()
    expect((await taskStatus()).result).toEqual({ total_keys: 4, valid_keys: 2, invalid_keys: 2 })
    const rows = await keyRows()
    expect(rows[REVIVE]).toMatchObject({ status: 'active', failure_count: 0 })
    expect(rows[DEAD]).toMatchObject({ status: 'invalid' })
    expect(rows[FLAKY]).toMatchObject({ status: 'active', failure_count: 0 })
    expect(rows[OK]).toMatchObject({ status: 'active', failure_count: 0 })
    expect((await t.deps.pool.counts(groupId, Date.now())).active).toBe(3)
  })

  it('checks only the keys in the requested status', async () => {
    await post('/api/keys/validate-group', { group_id: groupId, status: 'invalid' })
    await t.settle()
    expect(up.requests.map((r) => r.credential)).toEqual([REVIVE])
    expect(await taskStatus()).toMatchObject({ total: 1, processed: 1 })
    expect((await keyRows())[REVIVE].status).toBe('active')
  })
})
