// The real Redis for tests (127.0.0.1:6379, or REDIS_TEST_URL): a fresh key prefix per use, so
// runs and test files never see each other's keys, and the keys removed afterwards.
import { Redis } from 'ioredis'

export const REDIS_TEST_URL = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379'

/** A fresh prefix under which a test's keys live. */
export const freshRedisPrefix = (): string => `edgeload-test:${crypto.randomUUID()}:`

/** Gateway env for Redis under a fresh prefix. */
export const redisTestEnv = (prefix = freshRedisPrefix()) => ({
  REDIS_DSN: REDIS_TEST_URL,
  REDIS_PREFIX: prefix,
})

/** Deletes every key under `prefix`. */
export const dropRedisPrefix = async (prefix: string, url = REDIS_TEST_URL): Promise<void> => {
  const client = new Redis(url, { maxRetriesPerRequest: 1 })
  try {
    let cursor = '0'
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
      if (keys.length > 0) await client.del(...keys)
      cursor = next
    } while (cursor !== '0')
  } finally {
    await client.quit()
  }
}
