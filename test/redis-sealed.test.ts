// With ENCRYPTION_KEY and REDIS_DSN set, nothing in Redis holds a plaintext upstream key: the
// pool keeps sealed values and hashes, and queued log rows only the hash and masked form. Every
// key under the gateway's prefix is read back, whatever its type.
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream'
import { startTestGateway, type TestGateway } from './helpers/gateway'
import { dropRedisPrefix, freshRedisPrefix, redisTestEnv, REDIS_TEST_URL } from './helpers/redis'

const KEYS = ['sk-redis-sealed-aaaa1111', 'sk-redis-sealed-bbbb2222']
const prefix = freshRedisPrefix()
let up: FakeUpstream
let t: TestGateway

beforeAll(async () => {
  up = await startFakeUpstream()
  t = await startTestGateway({
    ENCRYPTION_KEY: 'redis-sealed-test-Qa1@Ws2#Ed3$Rf4%',
    ...redisTestEnv(prefix),
  })
})
afterAll(async () => {
  await t?.stop()
  await up?.close()
  await dropRedisPrefix(prefix)
})

/** Everything stored under the prefix, as text. */
const dumpPrefix = async (): Promise<string> => {
  const c = new Redis(REDIS_TEST_URL)
  try {
    const keys = await c.keys(`${prefix}*`)
    const parts: string[] = []
    for (const k of keys) {
      const type = await c.type(k)
      if (type === 'string') parts.push(String(await c.get(k)))
      else if (type === 'hash') parts.push(JSON.stringify(await c.hgetall(k)))
      else if (type === 'zset')
        parts.push(JSON.stringify(await c.zrange(k, '0', '-1', 'WITHSCORES')))
      else if (type === 'set') parts.push(JSON.stringify(await c.smembers(k)))
      else if (type === 'list') parts.push(JSON.stringify(await c.lrange(k, 0, -1)))
      else if (type === 'stream') parts.push(JSON.stringify(await c.xrange(k, '-', '+')))
      else throw new Error(`unexpected type ${type} at ${k}`)
    }
    return parts.join('\n')
  } finally {
    c.disconnect()
  }
}

describe('Redis under ENCRYPTION_KEY', () => {
  it('holds sealed values, hashes and masked keys, never a plaintext key', async () => {
    await t.createGroup({ name: 'g', upstreams: [{ url: up.url, weight: 1 }] }, KEYS)
    // Picks, reports and queued log rows (which the leader may or may not have drained yet).
    for (let i = 0; i < 4; i++) expect((await t.chat('g')).status).toBe(200)
    expect(new Set(up.requests.map((r) => r.credential))).toEqual(new Set(KEYS))
    const dump = await dumpPrefix()
    expect(dump.length).toBeGreaterThan(0)
    for (const key of KEYS) {
      expect(dump).not.toContain(key)
      expect(dump).not.toContain(key.slice(4, 20))
    }
    // The pool's values are the sealed forms.
    expect(dump).toMatch(/enc:v1:/)
  })
})
