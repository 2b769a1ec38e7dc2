// Per-key history of health transitions (edgeload issue 3), through the real Node gateway and the
// fake upstream: 429s cool a key, 401s blacklist it, admin actions restore and switch it, and
// GET /api/keys/{id}/history pages through them newest first without ever showing the key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream'
import { ADMIN_KEY, startTestGateway, type TestGateway } from './helpers/gateway'
import { eventually } from './helpers/wait'

const RL = 'sk-hist-rate-0123456789abcdef'
const BAD = 'sk-hist-bad-0123456789abcdef'

interface Event {
  key_id: number
  from_state: string | null
  to_state: string
  status_code: number
  message: string
  time: string
}
interface History {
  items: Event[]
  pagination: { page: number; page_size: number; total_items: number; total_pages: number }
}

let up: FakeUpstream
let t: TestGateway
let rlGroup = 0
let badGroup = 0

const chat = (group: string) =>
  fetch(`${t.url}/proxy/${group}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
  })

const history = async (id: number, query = '') => {
  const r = await t.admin<{ data: History }>('GET', `/api/keys/${id}/history${query}`)
  expect(r.status).toBe(200)
  return r.body.data
}

beforeAll(async () => {
  up = await startFakeUpstream({
    behaviours: {
      [RL]: { status: 429, headers: { 'retry-after': '60' } },
      // Like OpenAI, the upstream echoes the key: the history must keep only its masked form.
      [BAD]: {
        status: 401,
        body: { error: { message: `Incorrect API key provided: ${BAD}`, code: 'invalid_api_key' } },
      },
    },
  })
  t = await startTestGateway()
  const upstreams = [{ url: up.url, weight: 1 }]
  const config = { blacklist_threshold: 1 }
  rlGroup = await t.createGroup({ name: 'hist-rl', upstreams, config }, [RL])
  badGroup = await t.createGroup({ name: 'hist-bad', upstreams, config }, [BAD])
})

afterAll(async () => {
  await t?.stop()
  await up?.close()
})

describe('key history', () => {
  it('records a per-model 429 as a cooldown for that model, the key staying active', async () => {
    expect((await chat('hist-rl')).status).toBe(429)
    const id = (await t.keysOf(rlGroup))[RL].id
    const h = await eventually(async () => {
      const page = await history(id)
      expect(page.items).toHaveLength(1)
      return page
    })
    expect(h.items[0]).toMatchObject({
      key_id: id,
      from_state: 'active',
      to_state: 'active',
      status_code: 429,
    })
    expect(h.items[0].message).toMatch(/^cooling for gpt-4o-mini until \d{4}-.*Z: Rate limit/)
    expect(h.pagination).toEqual({ page: 1, page_size: 15, total_items: 1, total_pages: 1 })
  })

  it('records the end of a cooldown when the key is next used, at the time it ended', async () => {
    const KEY = 'sk-hist-short-cool-0123456789'
    // insufficient_quota is the account's: the key cools for every model.
    const error = { message: 'You exceeded your current quota', code: 'insufficient_quota' }
    up.setBehaviour({ [KEY]: { status: 429, body: { error }, headers: { 'retry-after': '1' } } })
    const gid = await t.createGroup(
      { name: 'hist-cool', upstreams: [{ url: up.url, weight: 1 }], config: { max_retries: 0 } },
      [KEY],
    )
    const id = (await t.keysOf(gid))[KEY].id
    expect((await chat('hist-cool')).status).toBe(429)
    const cooledAt = Date.now()
    up.setBehaviour({ [KEY]: null })
    // While it cools there is no key to pick: 429, the pool is cooling.
    expect((await chat('hist-cool')).status).toBe(429)
    const ok = await eventually(async () => {
      const r = await chat('hist-cool')
      expect(r.status).toBe(200)
      return r
    }, 5000)
    expect(ok.status).toBe(200)
    const items = await eventually(async () => {
      const page = await history(id)
      expect(page.items).toHaveLength(2)
      return page.items
    })
    expect(items[0]).toMatchObject({
      from_state: 'cooling',
      to_state: 'active',
      message: 'cooldown ended',
    })
    expect(items[1]).toMatchObject({ from_state: 'active', to_state: 'cooling', status_code: 429 })
    // Dated when the cooldown ended (Retry-After: 1), not when the key was next used.
    const ended = Date.parse(items[0].time)
    expect(ended).toBeGreaterThanOrEqual(cooledAt - 50)
    expect(ended).toBeLessThanOrEqual(cooledAt + 1500)
  })

  it('records a blacklisting with the upstream message, the key redacted', async () => {
    expect((await chat('hist-bad')).status).toBe(401)
    const id = (await t.keysOf(badGroup))[BAD].id
    const [e] = await eventually(async () => {
      const page = await history(id)
      expect(page.items).toHaveLength(1)
      return page.items
    })
    expect(e).toMatchObject({ from_state: 'active', to_state: 'invalid', status_code: 401 })
    expect(e.message).toContain('Incorrect API key provided')
    expect(e.message).not.toContain(BAD)
    expect((await t.keysOf(badGroup))[BAD].status).toBe('invalid')
  })

  it('records admin restores and enable/disable, newest first and paged', async () => {
    const id = (await t.keysOf(badGroup))[BAD].id
    const r = await t.admin('POST', '/api/keys/restore-multiple', {
      group_id: badGroup,
      keys_text: BAD,
    })
    expect(r.body).toMatchObject({ data: { restored_count: 1 } })
    // The route writes queued events before reading, so no wait is needed.
    expect((await history(id)).items[0]).toMatchObject({
      from_state: 'invalid',
      to_state: 'active',
      status_code: 0,
      message: 'restored by admin',
    })

    await t.admin('PUT', `/api/keys/${id}/status`, { enabled: false })
    await t.admin('PUT', `/api/keys/${id}/status`, { enabled: true })
    const all = await history(id)
    expect(all.items.map((e) => [e.from_state, e.to_state, e.message.slice(0, 8)])).toEqual([
      ['disabled', 'active', 'enabled'],
      ['active', 'disabled', 'disabled'],
      ['invalid', 'active', 'restored'],
      ['active', 'invalid', 'Incorrec'],
    ])

    const p2 = await history(id, '?page=2&page_size=3')
    expect(p2.pagination).toEqual({ page: 2, page_size: 3, total_items: 4, total_pages: 2 })
    expect(p2.items.map((e) => e.to_state)).toEqual(['invalid'])
  })

  it('answers 404 for an unknown key', async () => {
    const r = await t.admin('GET', '/api/keys/999999/history')
    expect(r.status).toBe(404)
  })
})
