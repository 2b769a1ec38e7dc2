// Manual enable/disable of keys and groups (edgeload issue 3), through the real Node gateway and
// the fake upstream: disabled keys are never picked nor re-validated, restores leave them off,
// and a disabled group answers 503 without calling the upstream.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { revalidateInvalidKeys } from '../src/jobs/background'
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream'
import { ADMIN_KEY, startTestGateway, type TestGateway } from './helpers/gateway'
import { eventually } from './helpers/wait'

const K1 = 'sk-en-one-0123456789abcdef'
const K2 = 'sk-en-two-0123456789abcdef'
const K3 = 'sk-en-three-0123456789abcdef'
const BAD = 'sk-en-bad-0123456789abcdef'

let up: FakeUpstream
let t: TestGateway
let groupId = 0
let otherId = 0

const chat = (group = 'en') =>
  fetch(`${t.url}/proxy/${group}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
  })

/** Sends `n` requests, each expected to succeed, and returns the upstream keys used. */
const used = async (n: number): Promise<Set<string | null>> => {
  up.requests.length = 0
  for (let i = 0; i < n; i++) expect((await chat()).status).toBe(200)
  return new Set(up.requests.map((r) => r.credential))
}

const setKey = (id: number, body: unknown) => t.admin('PUT', `/api/keys/${id}/status`, body)
const core = () => t.gw.edgeload.core

beforeAll(async () => {
  up = await startFakeUpstream({ behaviours: { [BAD]: { status: 401 } } })
  t = await startTestGateway()
  const upstreams = [{ url: up.url, weight: 1 }]
  const config = { blacklist_threshold: 1, key_validation_interval_minutes: 1 }
  groupId = await t.createGroup({ name: 'en', upstreams, config }, [K1, K2, K3])
  otherId = await t.createGroup({ name: 'other', upstreams, config }, [BAD, K1])
})

afterAll(async () => {
  await t?.stop()
  await up?.close()
})

beforeEach(() => {
  up.requests.length = 0
})

describe('key enable/disable', () => {
  it('never picks a disabled key, and picks it again once enabled', async () => {
    const id = (await t.keysOf(groupId))[K1].id
    const off = await setKey(id, { enabled: false })
    expect(off).toMatchObject({ status: 200, body: { code: 0, message: 'Key disabled' } })
    expect(await used(9)).toEqual(new Set([K2, K3]))
    expect((await t.keysOf(groupId))[K1]).toMatchObject({ enabled: false, status: 'active' })

    expect((await setKey(id, { enabled: true })).status).toBe(200)
    expect(await used(9)).toEqual(new Set([K1, K2, K3]))
    expect((await t.keysOf(groupId))[K1]).toMatchObject({ enabled: true, status: 'active' })
  })

  it('turns a list of keys off and on, counting the unknown ones as ignored', async () => {
    const body = { group_id: groupId, keys_text: `${K2}\n${K3}\nsk-unknown-1`, enabled: false }
    const off = await t.admin('PUT', '/api/keys/status', body)
    expect(off.body).toMatchObject({
      code: 0,
      data: { updated_count: 2, ignored_count: 1, total_in_group: 3 },
    })
    expect(await used(6)).toEqual(new Set([K1]))
    const on = await t.admin('PUT', '/api/keys/status', { ...body, enabled: true })
    expect(on.body).toMatchObject({ data: { updated_count: 2, ignored_count: 1 } })
    expect(await used(6)).toEqual(new Set([K1, K2, K3]))
  })

  it('answers a disabled group with 503 and no upstream call', async () => {
    const off = await t.admin<{ data: { enabled: boolean } }>(
      'PUT',
      `/api/groups/${groupId}/enabled`,
      {
        enabled: false,
      },
    )
    expect(off.status).toBe(200)
    expect(off.body.data.enabled).toBe(false)
    const res = await chat()
    expect(res.status).toBe(503)
    expect(await res.json()).toEqual({
      error: { message: 'Group is disabled', type: 'server_error', code: 'SERVICE_UNAVAILABLE' },
    })
    expect(up.requests).toHaveLength(0)
    const list = await t.admin<{ data: Array<{ id: number; enabled: boolean }> }>(
      'GET',
      '/api/groups',
    )
    expect(list.body.data.find((g) => g.id === groupId)?.enabled).toBe(false)

    await t.admin('PUT', `/api/groups/${groupId}/enabled`, { enabled: true })
    expect((await chat()).status).toBe(200)
  })

  it('skips disabled keys and groups in validation; restores leave disabled keys off', async () => {
    // Blacklist BAD through a real proxy failure (threshold 1, the retry lands on K1).
    for (let i = 0; i < 2; i++) expect((await chat('other')).status).toBe(200)
    await eventually(async () => expect((await t.keysOf(otherId))[BAD].status).toBe('invalid'))
    const bad = (await t.keysOf(otherId))[BAD]
    expect((await setKey(bad.id, { enabled: false })).status).toBe(200)
    up.setBehaviour({ [BAD]: null })

    up.requests.length = 0
    await revalidateInvalidKeys(core())
    expect(up.requests.filter((r) => r.credential === BAD)).toHaveLength(0)
    const task = await t.admin('POST', '/api/keys/validate-group', { group_id: otherId })
    expect(task.status).toBe(200)
    await eventually(async () => {
      const s = await t.admin<{ data: { is_running: boolean } }>('GET', '/api/tasks/status')
      expect(s.body.data.is_running).toBe(false)
    })
    expect(up.requests.filter((r) => r.credential === BAD)).toHaveLength(0)
    await t.admin('POST', '/api/keys/restore-all-invalid', { group_id: otherId })
    await t.admin('POST', '/api/keys/restore-multiple', { group_id: otherId, keys_text: BAD })
    expect((await t.keysOf(otherId))[BAD]).toMatchObject({ enabled: false, status: 'invalid' })

    // Enabled again: back in rotation as active, its failure count as stored.
    expect((await setKey(bad.id, { enabled: true })).status).toBe(200)
    expect((await t.keysOf(otherId))[BAD]).toMatchObject({
      enabled: true,
      status: 'active',
      failure_count: bad.failure_count,
    })
    up.requests.length = 0
    for (let i = 0; i < 4; i++) expect((await chat('other')).status).toBe(200)
    expect(up.requests.some((r) => r.credential === BAD)).toBe(true)

    // A disabled group is skipped by re-validation even with an invalid key due.
    up.setBehaviour({ [K1]: { status: 401 } })
    for (let i = 0; i < 3; i++) await chat('other')
    await eventually(async () => expect((await t.keysOf(otherId))[K1].status).toBe('invalid'))
    up.setBehaviour({ [K1]: null })
    await t.admin('PUT', `/api/groups/${otherId}/enabled`, { enabled: false })
    const g = core().cache.byId(otherId)!.group
    g.last_validated_at = null
    up.requests.length = 0
    await revalidateInvalidKeys(core())
    expect(up.requests).toHaveLength(0)
    expect((await t.keysOf(otherId))[K1].status).toBe('invalid')
  })

  it('rejects bad input with 400 or 404 and changes nothing', async () => {
    // Earlier tests' log rows update key usage when they are written: write them first.
    await core().logs.flush()
    const before = await t.keysOf(groupId)
    const id = before[K1].id
    expect((await setKey(id, {})).status).toBe(400)
    expect((await setKey(id, { enabled: 'no' })).status).toBe(400)
    expect((await setKey(999_999, { enabled: false })).status).toBe(404)
    expect((await t.admin('PUT', '/api/keys/abc/status', { enabled: false })).status).toBe(400)
    const list = { group_id: groupId, keys_text: K1 }
    expect((await t.admin('PUT', '/api/keys/status', list)).status).toBe(400)
    const missing = { ...list, group_id: 999_999, enabled: false }
    expect((await t.admin('PUT', '/api/keys/status', missing)).status).toBe(404)
    const empty = { ...list, keys_text: ' ', enabled: false }
    expect((await t.admin('PUT', '/api/keys/status', empty)).status).toBe(400)
    expect((await t.admin('PUT', `/api/groups/${groupId}/enabled`, {})).status).toBe(400)
    expect((await t.admin('PUT', '/api/groups/999999/enabled', { enabled: false })).status).toBe(
      404,
    )
    expect(await t.keysOf(groupId)).toEqual(before)
    expect((await chat()).status).toBe(200)
  })
})
