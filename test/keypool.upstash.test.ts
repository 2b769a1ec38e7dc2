// The KeyPool contract on Upstash: the real @upstash/redis client through openUpstash, over the
// Upstash-REST test server in front of the real Redis. A fresh key prefix per pool under this
// run's prefix, and the run's keys removed afterwards.
import { afterAll } from 'vitest'
import { openUpstash } from '../adapters/workers/upstash'
import { createRedisKeyPool } from '../src/keys/pool-redis'
import { dropRedisPrefix, freshRedisPrefix } from './helpers/redis'
import { startUpstashServer } from './helpers/upstash-server'
import { testKeyPool } from './keypool.contract'

const server = await startUpstashServer()
const redis = openUpstash(server)
const run = freshRedisPrefix()
let pools = 0

afterAll(async () => {
  await dropRedisPrefix(run)
  await server.close()
})

// 100k keys go as 50 scripts of 2,000 keys, each one HTTP request with a JSON body.
testKeyPool('Upstash', async () => createRedisKeyPool(redis, `${run}${++pools}:`), {
  bulkAddMs: 10_000,
})
