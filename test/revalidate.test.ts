// Periodic re-validation of invalid keys (src/jobs/background.ts), called directly as the scheduler would:
// a key blacklisted by failures comes back once the upstream accepts it, one that still fails
// stays out, the validation interval is respected, and no error text carries a key.
import { dropRedisPrefix, freshRedisPrefix, redisTestEnv } from './helpers/redis'
import { drainLogQueue } from '../src/logs/drain'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openSqlite } from '../adapters/node/db'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { LogLevel } from '../src/deps'
import { revalidateInvalidKeys } from '../src/jobs/background'
import { validateKey } from '../src/keys/validate'
import { startFakeUpstream, type Behaviour, type FakeUpstream } from './helpers/fake-upstream'
import { ADMIN_KEY, startTestGateway, type TestGateway } from './helpers/gateway'
import { eventually } from './helpers/wait'

let up: FakeUpstream
let t: TestGateway
const logged: string[] = []

const OA_REVIVE = 'sk-oa-revive-0123456789abcdef'
const OA_DEAD = 'sk-oa-dead-0123456789abcdef'
const OA_OK = 'sk-oa-ok-0123456789abcdef'
const AN_REVIVE = 'sk-ant-revive-0123456789abcdef'
const AN_OK = 'sk-ant-ok-0123456789abcdef'
const GM_REVIVE = 'AIza-gm-revive-0123456789abcdef'
const GM_OK = 'AIza-gm-ok-0123456789abcdef'
const BAD = [OA_REVIVE, OA_DEAD, AN_REVIVE, GM_REVIVE]

/** An invalid-key error that echoes the key, as real providers do, so redaction is tested. */
const rejects = (key: string): Behaviour => {
  if (key.startsWith('AIza')) {
    const message = `API key not valid: ${key}`
    const details = [{ reason: 'API_KEY_INVALID' }]
    return {
      status: 400,
      body: { error: { code: 400, message, status: 'INVALID_ARGUMENT', details } },
    }
  }
  if (key.startsWith('sk-ant')) {
    const error = { type: 'authentication_error', message: `invalid x-api-key ${key}` }
    return { status: 401, body: { type: 'error', error } }
  }
  const message = `Incorrect API key provided: ${key}`
  return {
    status: 401,
    body: { error: { message, type: 'invalid_request_error', code: 'invalid_api_key' } },
  }
}

const call = (path: string, init: RequestInit) =>
  fetch(`${t.url}${path}`, {
    method: 'POST',
    ...init,
    headers: { 'content-type': 'application/json', ...init.headers },
  })

const proxied = {
  oa: () =>
    call('/proxy/oa/v1/chat/completions', {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    }),
  an: () =>
    call('/proxy/an/v1/messages', {
      headers: { 'x-api-key': ADMIN_KEY },
      body: JSON.stringify({
        model: 'claude-3-5-haiku-latest',
        max_tokens: 8,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    }),
  gm: () =>
    call(`/proxy/gm/v1beta/models/gemini-2.0-flash:generateContent?key=${ADMIN_KEY}`, {
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
    }),
}

// A slave needs Redis (REDIS_DSN), which it uses under a prefix of its own.
const prefix = freshRedisPrefix()
let dir = ''
const ids: Record<'oa' | 'an' | 'gm', number> = { oa: 0, an: 0, gm: 0 }
const core = () => t.gw.edgeload.core

beforeAll(async () => {
  up = await startFakeUpstream({ behaviours: Object.fromEntries(BAD.map((k) => [k, rejects(k)])) })
  // A slave never takes the leader lease, so its own jobs cannot re-validate behind the test's back.
  // A slave never migrates: the database is brought up first, as a master would.
  dir = mkdtempSync(join(tmpdir(), 'edgeload-revalidate-'))
  const dsn = join(dir, 'edgeload.db')
  await (await openSqlite(dsn)).close()
  t = await startTestGateway({ IS_SLAVE: 'true', DATABASE_DSN: dsn, ...redisTestEnv(prefix) })
  await t.admin('PUT', '/api/settings', { request_log_write_interval_minutes: 0 })
  const upstreams = [{ url: up.url, weight: 1 }]
  const config = { blacklist_threshold: 1, key_validation_interval_minutes: 2 }
  ids.oa = await t.createGroup({ name: 'oa', upstreams, config }, [OA_REVIVE, OA_DEAD, OA_OK])
  ids.an = await t.createGroup(
    {
      name: 'an',
      channel_type: 'anthropic',
      test_model: 'claude-3-5-haiku-latest',
      upstreams,
      config,
    },
    [AN_REVIVE, AN_OK],
  )
  ids.gm = await t.createGroup(
    { name: 'gm', channel_type: 'gemini', test_model: 'gemini-2.0-flash', upstreams, config },
    [GM_REVIVE, GM_OK],
  )
  // The Logger is part of Deps: record what the jobs say, at every level.
  const original = core().deps.log
  core().deps.log = (level: LogLevel, msg: string, extra?: Record<string, unknown>) => {
    logged.push(`${level} ${msg} ${JSON.stringify(extra ?? {})}`)
    original(level, msg, extra)
  }

  // Blacklist every bad key through real proxy failures (threshold 1, retried on a good key).
  for (let i = 0; i < 4; i++) {
    for (const send of Object.values(proxied)) expect((await send()).status).toBe(200)
  }
  await eventually(async () => {
    expect((await t.keysOf(ids.oa))[OA_REVIVE].status).toBe('invalid')
    expect((await t.keysOf(ids.oa))[OA_DEAD].status).toBe('invalid')
    expect((await t.keysOf(ids.an))[AN_REVIVE].status).toBe('invalid')
    expect((await t.keysOf(ids.gm))[GM_REVIVE].status).toBe('invalid')
  })
  // The upstream now accepts the keys it rejected, except the dead one.
  up.setBehaviour({ [OA_REVIVE]: null, [AN_REVIVE]: null, [GM_REVIVE]: null })
})

afterAll(async () => {
  await dropRedisPrefix(prefix)
  rmSync(dir, { recursive: true, force: true })
  await t?.stop()
  await up?.close()
})

beforeEach(() => {
  up.requests.length = 0
})

describe('revalidateInvalidKeys', () => {
  it('restores keys the upstream accepts again, sending each in its channel place', async () => {
    await revalidateInvalidKeys(core())
    // Exactly one validation request per invalid key, nothing for the active ones.
    const byCred = Object.fromEntries(up.requests.map((r) => [r.credential, r]))
    expect(up.requests.length).toBe(4)
    expect(Object.keys(byCred).sort()).toEqual([...BAD].sort())

    const oa = byCred[OA_REVIVE]
    expect([oa.method, oa.path]).toEqual(['POST', '/v1/chat/completions'])
    expect(oa.headers.authorization).toBe(`Bearer ${OA_REVIVE}`)
    expect(JSON.parse(oa.body).model).toBe('gpt-4o-mini')
    const an = byCred[AN_REVIVE]
    expect(an.path).toBe('/v1/messages')
    expect(an.headers['x-api-key']).toBe(AN_REVIVE)
    expect(an.headers['anthropic-version']).toBe('2023-06-01')
    expect(an.headers.authorization).toBeUndefined()
    const gm = byCred[GM_REVIVE]
    expect(gm.path).toBe('/v1beta/models/gemini-2.0-flash:generateContent')
    // The validation request keeps the Gemini key out of the URL.
    expect(gm.headers['x-goog-api-key']).toBe(GM_REVIVE)
    expect(gm.query.key).toBeUndefined()
    expect(JSON.stringify(up.requests.map((r) => r.headers))).not.toContain(ADMIN_KEY)

    const active = { status: 'active', failure_count: 0 }
    const oaKeys = await t.keysOf(ids.oa)
    expect(oaKeys[OA_REVIVE]).toMatchObject(active)
    expect(oaKeys[OA_DEAD]).toMatchObject({ status: 'invalid' })
    expect((await t.keysOf(ids.an))[AN_REVIVE]).toMatchObject(active)
    expect((await t.keysOf(ids.gm))[GM_REVIVE]).toMatchObject(active)
  })

  it('lets the proxy pick restored keys again, and never the one still failing', async () => {
    for (let i = 0; i < 4; i++) {
      for (const send of Object.values(proxied)) expect((await send()).status).toBe(200)
    }
    const creds = up.requests.map((r) => r.credential)
    expect(creds).toContain(OA_REVIVE)
    expect(creds).toContain(AN_REVIVE)
    expect(creds).toContain(GM_REVIVE)
    expect(creds).not.toContain(OA_DEAD)
    // Successes through the proxy keep the restored key clean.
    await eventually(async () => expect((await t.keysOf(ids.oa))[OA_REVIVE].failure_count).toBe(0))
  })

  it('respects key_validation_interval_minutes', async () => {
    // Just validated: an immediate second run sends nothing.
    await revalidateInvalidKeys(core())
    expect(up.requests.length).toBe(0)

    // One minute ago, with a 2-minute interval: still not due.
    const { store } = core().deps
    const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000)
    await store.setGroupValidatedAt(ids.oa, at(1))
    await core().cache.reload()
    await revalidateInvalidKeys(core())
    expect(up.requests.length).toBe(0)

    // Three minutes ago: due, and only the still-invalid key of that group is checked.
    await store.setGroupValidatedAt(ids.oa, at(3))
    await core().cache.reload()
    await revalidateInvalidKeys(core())
    expect(up.requests.map((r) => r.credential)).toEqual([OA_DEAD])
    expect((await t.keysOf(ids.oa))[OA_DEAD].status).toBe('invalid')
    const group = await store.getGroup(ids.oa)
    expect(Date.now() - group!.last_validated_at!.getTime()).toBeLessThan(10_000)
  })

  it('keeps keys out of every error text', async () => {
    const entry = core().cache.byName('oa')!
    const r = await validateKey(core(), entry, OA_DEAD)
    expect(r).toMatchObject({ ok: false, status: 401 })
    expect(r.error).toMatch(/Incorrect API key provided/)
    expect(r.error).not.toContain(OA_DEAD)
    // A network failure: the message must not carry the key either.
    const gone = { ...entry, upstreams: { next: () => 'http://127.0.0.1:9' } } as typeof entry
    const net = await validateKey(core(), gone, OA_DEAD)
    expect(net.ok).toBe(false)
    expect(net.error).not.toContain(OA_DEAD)

    // A slave queues its rows in Redis for the leader to write; here the test plays the leader.
    await core().logs.flush()
    await drainLogQueue(core().deps.logQueue!, core().deps.store, Date.now, 5000)
    type Log = { error_message: string; status_code: number }
    const rows: Log[] = []
    for (const g of ['oa', 'an', 'gm']) {
      const res = await t.admin<{ data: { items: Log[] } }>(
        'GET',
        `/api/logs?group_name=${g}&page_size=100`,
      )
      rows.push(...res.body.data.items)
    }
    const failures = rows.filter((l) => l.status_code >= 400)
    expect(failures.length).toBeGreaterThanOrEqual(4)
    const texts = JSON.stringify({ failures, logged })
    for (const key of BAD) expect(texts).not.toContain(key)
  })
})
