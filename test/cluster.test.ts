// Two gateways on one SQLite file, as two processes: config changes reach the other node within
// 1 s, exactly one node leads the background work, and a killed leader is replaced within the
// lease TTL. Then two nodes in one process sharing a key pool: restarting one keeps the other's
// blacklisted and cooling keys as they are (against the KeyPool contract; the Redis pool later).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createSqlCoordination } from '../src/coord/sql'
import { openSqlite } from '../adapters/node/db'
import { createMemoryKeyPool } from '../src/keys/pool-memory'
import { createTestApp, TEST_AUTH_KEY, type TestApp } from './helpers/app'
import { killAll, startChildGateway, type StartedChild } from './helpers/child'
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream'
import { sleep, until } from './helpers/wait'

const AUTH = 'cluster-admin-key-0123456789'
const LEASE_S = 2
let up: FakeUpstream
let dir: string
const children: StartedChild[] = []
const dirs: string[] = []

beforeAll(async () => {
  up = await startFakeUpstream()
})
afterEach(async () => {
  await killAll(children)
})
afterAll(async () => {
  await up.close()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

const call = (base: string, method: string, path: string, body?: unknown, key = AUTH) =>
  fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })

const chat = (base: string, group: string, key = AUTH) =>
  call(base, 'POST', `/proxy/${group}/v1/chat/completions`, { model: 'm', messages: [] }, key)

/**
 * ms until `probe` answers true, polling every `everyMs`; fails past `limitMs`. A probe that
 * fails authentication polls slowly, inside the auth throttle's 10 free tries.
 */
const timeUntil = async (
  probe: () => Promise<boolean>,
  limitMs: number,
  what: string,
  everyMs = 20,
) => {
  const t0 = Date.now()
  while (!(await probe())) {
    if (Date.now() - t0 > limitMs) throw new Error(`not within ${limitMs} ms: ${what}`)
    await sleep(everyMs)
  }
  return Date.now() - t0
}

const leading = (c: StartedChild) => c.out.text.includes('leading background jobs')

describe('two gateways on one SQLite file', () => {
  it('share config within 1 s, elect one leader, and replace a killed leader within the TTL', async () => {
    dir = mkdtempSync(join(tmpdir(), 'edgeload-cluster-'))
    dirs.push(dir)
    const env = { AUTH_KEY: AUTH, LEADER_LEASE_SECONDS: String(LEASE_S) }
    const a = await startChildGateway(dir, env, children)
    const b = await startChildGateway(dir, env, children)

    // A group created through A proxies on B within 1 s.
    const created = await call(a.url, 'POST', '/api/groups', {
      name: 'shared',
      channel_type: 'openai',
      upstreams: [{ url: up.url, weight: 1 }],
    })
    expect(created.status).toBe(200)
    const gid = ((await created.json()) as { data: { id: number } }).data.id
    const keys = await call(a.url, 'POST', '/api/keys/add-multiple', {
      group_id: gid,
      keys_text: 'sk-cluster-0123456789',
    })
    expect(keys.status).toBe(200)
    const groupMs = await timeUntil(
      async () => {
        const r = await chat(b.url, 'shared')
        return r.status === 200
      },
      1000,
      'the group on B',
    )

    // A setting changed on B applies on A within 1 s: a new global proxy key.
    const put = await call(b.url, 'PUT', '/api/settings', {
      proxy_keys: `${AUTH},pk-new-0123456789`,
    })
    expect(put.status).toBe(200)
    const settingMs = await timeUntil(
      async () => (await chat(a.url, 'shared', 'pk-new-0123456789')).status === 200,
      1000,
      'the setting on A',
      110,
    )
    console.log(`config reached the other node in ${groupMs} ms (group), ${settingMs} ms (setting)`)

    // A key deleted on A, and one disabled on B, leave the other node's rotation within 1 s.
    const [GONE, OFF] = ['sk-cluster-gone-0123', 'sk-cluster-off-0123']
    const more = await call(a.url, 'POST', '/api/keys/add-multiple', {
      group_id: gid,
      keys_text: `${GONE}\n${OFF}`,
    })
    expect(more.status).toBe(200)
    /** The keys that `n` requests through a node were sent upstream with. */
    const sentThrough = async (base: string, n: number) => {
      const before = up.requests.length
      for (let i = 0; i < n; i++) expect((await chat(base, 'shared')).status).toBe(200)
      return new Set(up.requests.slice(before).map((r) => r.credential))
    }
    await timeUntil(async () => (await sentThrough(b.url, 3)).size === 3, 1000, 'new keys on B')
    const del = await call(a.url, 'POST', '/api/keys/delete-multiple', {
      group_id: gid,
      keys_text: GONE,
    })
    expect(del.status).toBe(200)
    const off = await call(b.url, 'PUT', '/api/keys/status', {
      group_id: gid,
      keys_text: OFF,
      enabled: false,
    })
    expect(off.status).toBe(200)
    const only = ['sk-cluster-0123456789']
    const keysMs = await timeUntil(
      async () => {
        const sent = [...(await sentThrough(a.url, 3)), ...(await sentThrough(b.url, 3))]
        return sent.every((k) => only.includes(k!))
      },
      1000,
      'the deleted and disabled keys out of both pools',
    )
    console.log(`a deleted and a disabled key left the other node's pool in ${keysMs} ms`)

    // Exactly one leads.
    await until(
      () => leading(a) || leading(b),
      5000,
      () => 'a leader',
    )
    await new Promise((r) => setTimeout(r, 1000))
    expect([leading(a), leading(b)].filter(Boolean)).toHaveLength(1)
    const [leader, other] = leading(a) ? [a, b] : [b, a]

    // Kill the leader outright (no release): the other takes over within the TTL and a tick.
    const killedAt = Date.now()
    leader.proc.kill('SIGKILL')
    await leader.exit
    await until(
      () => leading(other),
      LEASE_S * 1000 + 1500,
      () => 'the takeover',
    )
    const takeoverMs = Date.now() - killedAt
    console.log(`leader replaced ${takeoverMs} ms after the kill (lease ${LEASE_S} s)`)
    expect(takeoverMs).toBeLessThanOrEqual(LEASE_S * 1000 + 1000)
  }, 60_000)
})

const proxy = (app: TestApp) =>
  app.app.request('/proxy/p/v1/chat/completions', {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_AUTH_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', messages: [] }),
  })

describe('two nodes sharing one key pool', () => {
  let a: TestApp | null = null
  let b: TestApp | null = null
  afterEach(async () => {
    await a?.close()
    await b?.close()
    a = b = null
  })

  it('keep a blacklisted and a cooling key as they are when one node restarts', async () => {
    const d = mkdtempSync(join(tmpdir(), 'edgeload-shared-pool-'))
    dirs.push(d)
    const dbPath = join(d, 'edgeload.db')
    const pool = createMemoryKeyPool()
    const coordDb = await openSqlite(dbPath)
    const coord = createSqlCoordination(coordDb.db)
    const node = () => createTestApp({ dbPath, pool, coord })
    a = await node()
    b = await node()
    const g = await a.api('POST', '/api/groups', {
      name: 'p',
      channel_type: 'openai',
      upstreams: [{ url: up.url, weight: 1 }],
      config: { blacklist_threshold: 1, max_retries: 0 },
    })
    const gid = ((await g.json()) as { data: { id: number } }).data.id
    const keys = ['sk-bad-0123456789', 'sk-busy-0123456789', 'sk-good-0123456789']
    await a.api('POST', '/api/keys/add-multiple', { group_id: gid, keys_text: keys.join('\n') })
    await a.core.sync.check()
    up.setBehaviour({
      'sk-bad-0123456789': { status: 401 },
      // insufficient_quota is the account's, so the key cools for every model.
      'sk-busy-0123456789': {
        status: 429,
        headers: { 'retry-after': '600' },
        body: { error: { message: 'You exceeded your current quota', code: 'insufficient_quota' } },
      },
    })
    // Three requests through A visit each key once: one blacklisted, one cooling.
    for (let i = 0; i < 3; i++) await proxy(a)
    expect(await pool.counts(gid, Date.now())).toEqual({ active: 1, cooling: 1, invalid: 1 })

    // B restarts while A's health writes have not reached the database yet: its rows still say
    // every key is active with no failure.
    await a.core.keys.flush()
    await a.sqlite.db.run(sql`update api_keys set status = 'active', failure_count = 0`)
    await b.close()
    b = await node()
    expect(await pool.counts(gid, Date.now())).toEqual({ active: 1, cooling: 1, invalid: 1 })
    const seen = up.requests.length
    for (let i = 0; i < 4; i++) expect((await proxy(b)).status).toBe(200)
    // Only the healthy key is used, on either node.
    for (let i = 0; i < 2; i++) expect((await proxy(a)).status).toBe(200)
    const used = up.requests.slice(seen).map((r) => r.credential)
    expect(used).toEqual(Array(6).fill('sk-good-0123456789'))
    up.setBehaviour({ 'sk-bad-0123456789': null, 'sk-busy-0123456789': null })
    await coordDb.close()
  })
})
