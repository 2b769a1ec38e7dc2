// The Redis pool answers as the memory pool does (keypool.parity.ts), through ioredis on the real
// Redis (127.0.0.1:6379, or REDIS_TEST_URL); the run's keys are removed afterwards.
import { Redis } from 'ioredis'
import { afterAll } from 'vitest'
import { createRedisEval } from '../adapters/node/redis'
import { createRedisKeyPool } from '../src/keys/pool-redis'
import { dropRedisPrefix, freshRedisPrefix, REDIS_TEST_URL } from './helpers/redis'
import { testKeyPoolParity } from './keypool.parity'

const client = new Redis(REDIS_TEST_URL, { maxRetriesPerRequest: 1 })
const redis = createRedisEval(client)
const run = freshRedisPrefix()

afterAll(async () => {
  await dropRedisPrefix(run)
  await client.quit()
})

testKeyPoolParity('Redis', async (seed, jitter) =>
  createRedisKeyPool(redis, `${run}${seed}:`, { random: jitter }),
)
