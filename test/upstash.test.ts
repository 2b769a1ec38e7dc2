// openUpstash with the real @upstash/redis client, over the Upstash-REST test server in front of
// the real Redis: script results as Redis gives them, a lost script cache, and the HTTP round
// trips a key pick and a proxied request cost (the proxy waits on each of them).
import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { openUpstash } from '../adapters/workers/upstash'
import { createRedisCoordination } from '../src/coord/redis'
import { VERSION_CONFIG } from '../src/coord/types'
import { TAP_FRESH_MS, withVersionTap } from '../src/coord/version-tap'
import { createRedisKeyPool, QUIET_TRUST_MS } from '../src/keys/pool-redis'
import { CIRCUITS_TTL_MS, wrapSharedPool } from '../src/keys/pool-shared'
import type { PoolKeyRow } from '../src/store/types'
import { createTestApp, TEST_AUTH_KEY } from './helpers/app'
import { startFakeUpstream } from './helpers/fake-upstream'
import { dropRedisPrefix, freshRedisPrefix, REDIS_TEST_URL } from './helpers/redis'
import { startUpstashServer } from './helpers/upstash-server'

const server = await startUpstashServer()
const run = freshRedisPrefix()
let prefixes = 0
const prefix = () => `${run}${++prefixes}:`

afterAll(async () => {
  await dropRedisPrefix(run)
  await server.close()
})

/** Requests and commands the server serves while `fn` runs. */
const served = async (fn: () => Promise<unknown>) => {
  const [requests, commands] = [server.requests(), server.commands()]
  await fn()
  return { requests: server.requests() - requests, commands: server.commands() - commands }
}

const T0 = 1_700_000_000_000
const row = (id: number): PoolKeyRow => ({
  id,
  key_value: `sealed-${id}`,
  key_hash: `h${id}`,
  status: 'active',
  failure_count: 0,
})

describe('openUpstash', () => {
  it('returns what the script returned: strings stay strings, byte for byte', async () => {
    const redis = openUpstash(server)
    const text = 'ü "q" 😀 \n\t\u0000 1'
    expect(await redis.eval('return ARGV[1]', [], [text])).toBe(text)
    // Not JSON-parsed: a pool's ids and stored values must not turn into numbers or objects.
    expect(await redis.eval('return ARGV[1]', [], ['12'])).toBe('12')
    expect(await redis.eval("return {7, ARGV[1], false, {'', 'OK'}}", [], ['{"a":1}'])).toEqual([
      7,
      '{"a":1}',
      null,
      ['', 'OK'],
    ])
  })

  it('is refused with a wrong token', async () => {
    const redis = openUpstash({ url: server.url, token: 'wrong' })
    await expect(redis.eval('return 1', [], [])).rejects.toThrow('Unauthorized')
  })

  it("fails with Redis's error when a script fails", async () => {
    const redis = openUpstash(server)
    await expect(redis.eval("return redis.error_reply('ERR boom')", [], [])).rejects.toThrow(
      'ERR boom',
    )
  })

  it('sends a script Redis does not know once by EVAL after EVALSHA answers NOSCRIPT', async () => {
    const redis = openUpstash(server)
    // A script no other test loads, so the count cannot be disturbed by them.
    const script = `return ARGV[1] -- ${crypto.randomUUID()}`
    expect(await served(() => redis.eval(script, [], ['a']))).toEqual({ requests: 2, commands: 2 })
    expect(await served(() => redis.eval(script, [], ['b']))).toEqual({ requests: 1, commands: 1 })
  })

  it('keeps working after Redis lost its script cache (SCRIPT FLUSH, as after a restart)', async () => {
    const redis = openUpstash(server)
    const pool = createRedisKeyPool(redis, prefix())
    const coord = createRedisCoordination(redis, prefix(), () => T0)
    await pool.add(1, [row(1), row(2)])
    expect((await pool.pick(1, T0))?.id).toBe(1)
    expect(await coord.bump('config')).toBe(1)
    const admin = new Redis(REDIS_TEST_URL, { maxRetriesPerRequest: 1 })
    try {
      await admin.script('FLUSH')
    } finally {
      await admin.quit()
    }
    expect((await pool.pick(1, T0))?.id).toBe(2)
    expect(await coord.bump('config')).toBe(2)
    expect(await coord.acquire('leader', 'n1', 500)).toBe(true)
    expect(await coord.holder('leader')).toEqual({ owner: 'n1', until: T0 + 500 })
  })
})

describe('round trips to Upstash', () => {
  it('a key pick is one HTTP request of one command; concurrent picks share one request', async () => {
    const pool = createRedisKeyPool(openUpstash(server), prefix())
    await pool.add(1, [row(1), row(2), row(3)])
    await pool.pick(1, T0)
    expect(await served(() => pool.pick(1, T0))).toEqual({ requests: 1, commands: 1 })
    // The client pipelines calls made in the same tick into one HTTP request.
    const picks = () => Promise.all([1, 2, 3].map(() => pool.pick(1, T0)))
    expect(await served(picks)).toEqual({ requests: 1, commands: 3 })
    const t = performance.now()
    for (let i = 0; i < 200; i++) await pool.pick(1, T0)
    const us = ((performance.now() - t) / 200) * 1000
    console.log(`Upstash test server: a pick takes ${us.toFixed(0)} µs (one HTTP round trip)`)
  })

  it('a proxied request costs one round trip, the config check none, while picks flow', async () => {
    const up = await startFakeUpstream()
    let clock = Date.UTC(2026, 11, 4, 12)
    const redis = openUpstash(server)
    const p = prefix()
    const tap = withVersionTap(createRedisCoordination(redis, p), TAP_FRESH_MS, () => clock)
    const pool = wrapSharedPool(
      createRedisKeyPool(redis, p, {
        onConfigVersion: (v, at) => tap.seen(VERSION_CONFIG, v, at),
      }),
    )
    const t = await createTestApp({ pool, coord: tap.coord, now: () => clock })
    try {
      const keys = ['sk-upstash-a-0123456789', 'sk-upstash-b-0123456789']
      await t.createGroup(
        { name: 'g', channel_type: 'openai', upstreams: [{ url: up.url, weight: 1 }] },
        keys,
      )
      const call = async () => {
        const r = await t.app.request('/proxy/g/v1/chat/completions', {
          method: 'POST',
          headers: { authorization: `Bearer ${TEST_AUTH_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'gpt-4o-mini', messages: [] }),
        })
        expect(r.status).toBe(200)
        await r.text()
        await t.settle()
      }
      await call()
      const fresh = await served(call)
      // Past the circuit cache's life: the pick said no route is watched, so no read is needed.
      clock += CIRCUITS_TTL_MS
      const quiet = await served(call)
      // The jobs' config check right after: the pick brought the version back.
      const check = await served(() => t.core.sync.check())
      // Idle past the pick's word: the circuit view is read again, then the pick.
      clock += QUIET_TRUST_MS
      const idle = await served(call)
      console.log(`Upstash per proxied request: ${JSON.stringify({ fresh, quiet, check, idle })}`)
      // The pick only; the success itself is not reported (nothing to change in the pool).
      expect(fresh).toEqual({ requests: 1, commands: 1 })
      expect(quiet).toEqual({ requests: 1, commands: 1 })
      expect(check).toEqual({ requests: 0, commands: 0 })
      expect(idle).toEqual({ requests: 2, commands: 2 })
      expect(up.requests.map((r) => r.credential)).toEqual([...keys, ...keys])

      // An admin change made elsewhere (a bump under the same prefix) is seen through the next
      // pick: the check after it reloads without a read of its own.
      const other = createRedisCoordination(redis, p)
      const before = t.core.sync.loaded()
      await other.bump(VERSION_CONFIG)
      clock += 1
      await call()
      expect(await served(async () => expect(await t.core.sync.check()).toBe(true))).toEqual({
        requests: 0,
        commands: 0,
      })
      expect(t.core.sync.loaded()).toBe(before + 1)
    } finally {
      await t.close()
      await up.close()
    }
  })
})
