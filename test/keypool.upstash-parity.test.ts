// The Upstash pool answers as the memory pool does (keypool.parity.ts): the real @upstash/redis
// client through openUpstash, over the Upstash-REST test server in front of the real Redis.
import { afterAll } from 'vitest'
import { openUpstash } from '../adapters/workers/upstash'
import { createRedisKeyPool } from '../src/keys/pool-redis'
import { dropRedisPrefix, freshRedisPrefix } from './helpers/redis'
import { startUpstashServer } from './helpers/upstash-server'
import { testKeyPoolParity } from './keypool.parity'

const server = await startUpstashServer()
const redis = openUpstash(server)
const run = freshRedisPrefix()

afterAll(async () => {
  await dropRedisPrefix(run)
  await server.close()
})

// 10 seeds, not Redis's 30: the scripts are the same, this checks what the wire carries, and each
// of the 6,000 operations is a round trip over HTTP (about 0.5 ms here).
testKeyPoolParity(
  'Upstash',
  async (seed, jitter) => createRedisKeyPool(redis, `${run}${seed}:`, { random: jitter }),
  10,
)
