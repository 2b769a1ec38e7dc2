// The coordination contract on the real Redis (127.0.0.1:6379, or REDIS_TEST_URL), through
// ioredis: one connection per node, a fresh key prefix per run, and the keys removed afterwards.
import { Redis } from 'ioredis'
import { describe, expect, it } from 'vitest'
import { createRedisEval } from '../adapters/node/redis'
import { createRedisCoordination } from '../src/coord/redis'
import { testCoordination } from './coord.contract'

const URL = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379'

testCoordination('Redis', async (now) => {
  const prefix = `edgeload-test:${crypto.randomUUID()}:`
  const clients: Redis[] = []
  return {
    async open() {
      const client = new Redis(URL, { maxRetriesPerRequest: 1 })
      clients.push(client)
      return createRedisCoordination(createRedisEval(client), prefix, now)
    },
    async close() {
      const [first] = clients
      if (first) {
        const keys = await first.keys(`${prefix}*`)
        if (keys.length > 0) await first.del(...keys)
      }
      await Promise.all(clients.map((c) => c.quit()))
    },
  }
})

describe('Redis scripts', () => {
  it('are loaded again after Redis loses its script cache', async () => {
    const client = new Redis(URL, { maxRetriesPerRequest: 1 })
    const prefix = `edgeload-test:${crypto.randomUUID()}:`
    try {
      const coord = createRedisCoordination(createRedisEval(client), prefix, () => 1000)
      expect(await coord.bump('config')).toBe(1)
      await client.script('FLUSH')
      expect(await coord.bump('config')).toBe(2)
      expect(await coord.acquire('leader', 'n1', 500)).toBe(true)
      expect(await coord.holder('leader')).toEqual({ owner: 'n1', until: 1500 })
    } finally {
      const keys = await client.keys(`${prefix}*`)
      if (keys.length > 0) await client.del(...keys)
      await client.quit()
    }
  })
})
