// A cluster as operators run it: edgeload processes on loopback sharing one database and one
// Redis (a fresh key prefix per run). One master and slaves; the key pool, the leases, the config
// version and the log queue live in Redis, groups, keys and logs in the database.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { killAll, startChildGateway, type StartedChild } from './helpers/child'
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream'
import { clusterDatabases, type TestDatabase } from './helpers/databases'
import { dropRedisPrefix, freshRedisPrefix, redisTestEnv } from './helpers/redis'
import { eventually, sleep, until, within } from './helpers/wait'

const AUTH = 'cluster-admin-key-0123456789'
const LEASE_S = 2
const GOOD = Array.from({ length: 5 }, (_, i) => `sk-good-${i}-0123456789`)
const BAD = 'sk-bad-0123456789'
const COOL = 'sk-cool-0123456789'

let up: FakeUpstream
const children: StartedChild[] = []
const dirs: string[] = []
const prefixes: string[] = []

beforeAll(async () => {
  up = await startFakeUpstream({
    behaviours: {
      [BAD]: { status: 401 },
      [COOL]: { status: 429, headers: { 'retry-after': '600' } },
    },
  })
})
afterEach(() => killAll(children))
afterAll(async () => {
  await up.close()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
  for (const p of prefixes) await dropRedisPrefix(p)
})

const call = async (base: string, method: string, path: string, body?: unknown, key = AUTH) => {
  const res = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  return { status: res.status, json: () => JSON.parse(text) }
}

/** One chat through a node; resolves with the upstream key it went out with, null on failure. */
const chat = async (base: string, model = 'm', key = AUTH) => {
  const res = await fetch(`${base}/proxy/g/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  })
  await res.arrayBuffer()
  return res.status
}

const lastCredential = () => up.requests[up.requests.length - 1]?.credential ?? null

const leading = (c: StartedChild) => c.out.text.includes('leading background jobs')

interface Cluster {
  dir: string
  env: Record<string, string>
  start(extra?: Record<string, string>): Promise<StartedChild & { url: string }>
}

const cluster = async (db: TestDatabase): Promise<Cluster> => {
  const dir = mkdtempSync(join(tmpdir(), 'edgeload-cluster-redis-'))
  dirs.push(dir)
  const prefix = freshRedisPrefix()
  prefixes.push(prefix)
  const env = {
    AUTH_KEY: AUTH,
    LEADER_LEASE_SECONDS: String(LEASE_S),
    DATABASE_DSN: await db.create(dir),
    ...redisTestEnv(prefix),
  }
  return { dir, env, start: (extra = {}) => startChildGateway(dir, { ...env, ...extra }, children) }
}

/** Creates group `g` with `keys` through `base`; one attempt per request, one failure blacklists. */
const createGroup = async (base: string, keys: string[]) => {
  const g = await call(base, 'POST', '/api/groups', {
    name: 'g',
    channel_type: 'openai',
    upstreams: [{ url: up.url, weight: 1 }],
    config: { blacklist_threshold: 1, max_retries: 0 },
  })
  expect(g.status).toBe(200)
  const id = g.json().data.id as number
  const k = await call(base, 'POST', '/api/keys/add-multiple', {
    group_id: id,
    keys_text: keys.join('\n'),
  })
  expect(k.status).toBe(200)
  return id
}

/**
 * Whether the key's history on `base` (the node that reported it, whose queued events the read
 * flushes) records a cooldown: the pool has then taken it out of rotation.
 */
const cooled = async (base: string, groupId: number, key: string) => {
  const r = await call(base, 'GET', `/api/keys?group_id=${groupId}&page_size=100&reveal=true`)
  const items = r.json().data.items as Array<{ id: number; key_value: string }>
  const id = items.find((k) => k.key_value === key)?.id
  const h = await call(base, 'GET', `/api/keys/${id}/history`)
  // OpenAI's 429 is per model: the key cools for `m` and stays active for others.
  const events = h.json().data.items as Array<{ to_state: string; message: string }>
  return events.some((e) => e.to_state === 'cooling' || e.message.startsWith('cooling for'))
}

const keyStates = async (base: string, groupId: number) => {
  const r = await call(base, 'GET', `/api/keys?group_id=${groupId}&page_size=100&reveal=true`)
  const items = r.json().data.items as Array<{ key_value: string; status: string }>
  return Object.fromEntries(items.map((k) => [k.key_value, k.status]))
}

const storedModels = async (base: string): Promise<Set<string>> => {
  const out = new Set<string>()
  for (let page = 1; ; page++) {
    const r = await call(base, 'GET', `/api/logs?page=${page}&page_size=1000`)
    const items = r.json().data.items as Array<{ model: string }>
    for (const i of items) out.add(i.model)
    if (items.length < 1000) return out
  }
}

describe.each(clusterDatabases())('a cluster on $name and Redis', (db) => {
  afterAll(() => db.dropAll())

  it('shares one pool: blacklists, rotation, settings and a restart', async () => {
    const c = await cluster(db)
    // A slave started first on the empty database waits for a master to migrate it.
    const starting = c.start({ IS_SLAVE: 'true' })
    const slave = children[children.length - 1]
    await until(
      () => slave.out.text.includes('waiting for a master to migrate the database'),
      20_000,
      'the slave waits for the migration',
    )
    const a = await c.start()
    const b = await starting
    expect(b.out.text).toContain('the database schema is current; starting')
    const gid = await createGroup(a.url, [...GOOD, BAD, COOL])

    // Through B until both bad keys were tried: BAD is blacklisted, COOL cools for 600 s.
    await until(
      async () => {
        await chat(b.url)
        // Reports reach the pool just after their answers: wait for both to have landed.
        const s = await keyStates(a.url, gid)
        return s[BAD] === 'invalid' && (await cooled(b.url, gid, COOL))
      },
      5000,
      'both bad keys tried through B',
    )
    // Neither is picked again, on either node; the good keys rotate over both nodes, each once
    // per cycle.
    const sent: string[] = []
    for (let i = 0; i < GOOD.length * 4; i++) {
      expect(await chat(i % 2 ? a.url : b.url)).toBe(200)
      sent.push(lastCredential()!)
    }
    expect(sent.filter((k) => k === BAD || k === COOL)).toEqual([])
    for (let i = 0; i + GOOD.length <= sent.length; i += GOOD.length) {
      expect(new Set(sent.slice(i, i + GOOD.length)).size).toBe(GOOD.length)
    }

    // A setting changed on B applies on A within 1 s.
    const put = await call(b.url, 'PUT', '/api/settings', {
      proxy_keys: `${AUTH},pk-new-0123456789`,
    })
    expect(put.status).toBe(200)
    const t0 = Date.now()
    // Polled every 110 ms: a refused key counts towards the auth throttle's 10 free tries.
    await eventually(
      async () => expect(await chat(a.url, 'm', 'pk-new-0123456789')).toBe(200),
      1000,
      110,
    )
    console.log(`${db.name}: a setting changed on B applied on A in ${Date.now() - t0} ms`)

    // B restarts: the blacklisted and the cooling key are as they were, on both nodes.
    b.proc.kill('SIGTERM')
    expect(await within(b.exit, 15_000, 'B stops')).toEqual({ code: 0, signal: null })
    const b2 = await c.start({ IS_SLAVE: 'true' })
    const before = up.requests.length
    for (let i = 0; i < GOOD.length * 2; i++) expect(await chat(i % 2 ? a.url : b2.url)).toBe(200)
    const after = up.requests.slice(before).map((r) => r.credential)
    expect(after.filter((k) => k === BAD || k === COOL)).toEqual([])
    expect(new Set(after)).toEqual(new Set(GOOD))
    expect((await keyStates(b2.url, gid))[BAD]).toBe('invalid')
  }, 60_000)

  it('writes every row when the leader is killed, and when a node stops under load', async () => {
    const c = await cluster(db)
    const a = await c.start()
    await until(() => leading(a), 5000, 'A leads')
    const b = await c.start()
    const s = await c.start({ IS_SLAVE: 'true' })
    await createGroup(a.url, GOOD)

    // Load on all three nodes; each answered request's model is noted with its node and time.
    const answered = new Map<string, { node: string; at: number }>()
    let n = 0
    let stop = false
    const client = async (node: string, url: string) => {
      while (!stop) {
        const model = `${node}-${n++}`
        let status = 0
        try {
          status = await chat(url, model)
        } catch {
          await sleep(20) // the node is gone
          continue
        }
        if (status === 200) answered.set(model, { node, at: Date.now() })
      }
    }
    const load = Promise.all([
      client('a', a.url),
      client('a', a.url),
      client('b', b.url),
      client('s', s.url),
      client('s', s.url),
    ])
    await sleep(1500)

    // SIGKILL the leader: B takes over within the lease TTL.
    const killedAt = Date.now()
    a.proc.kill('SIGKILL')
    await within(a.exit, 5000, 'A dies')
    await until(() => leading(b), LEASE_S * 1000 + 1500, 'B takes over')
    const takeover = Date.now() - killedAt
    await sleep(1000)

    // SIGTERM the slave under load: it drains, queues its rows and exits 0.
    s.proc.kill('SIGTERM')
    expect(await within(s.exit, 15_000, 'the slave stops')).toEqual({ code: 0, signal: null })
    await sleep(500)
    stop = true
    await within(load, 10_000, 'clients stop')

    // Every row of the killed leader answered more than 1 s before its death, and every row of
    // the other two nodes, reaches the database.
    const must = [...answered].filter(([, r]) => r.node !== 'a' || r.at < killedAt - 1000)
    let stored = new Set<string>()
    await until(
      async () => {
        stored = await storedModels(b.url)
        return must.every(([m]) => stored.has(m))
      },
      5000,
      () => `rows missing: ${must.filter(([m]) => !stored.has(m)).length} of ${must.length}`,
    )
    const lostOfA = [...answered].filter(([m, r]) => r.node === 'a' && !stored.has(m))
    const lastA = Math.max(...[...answered.values()].filter((r) => r.node === 'a').map((r) => r.at))
    console.log(
      `${db.name}: leader replaced ${takeover} ms after SIGKILL (lease ${LEASE_S} s); ` +
        `${must.length} rows required, all stored; the killed node lost ${lostOfA.length} rows, ` +
        `answered in its last ${Math.max(0, killedAt - Math.min(...lostOfA.map(([, r]) => r.at), lastA))} ms`,
    )
    expect(takeover).toBeLessThanOrEqual(LEASE_S * 1000 + 1000)
  }, 60_000)
})
