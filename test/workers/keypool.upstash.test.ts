// The KeyPool contract inside workerd on Upstash: openUpstash over the real @upstash/redis client
// (its Cloudflare build) and workerd's fetch, to the Upstash-REST test server in front of Redis.
import { openUpstash } from '../../adapters/workers/upstash'
import { createRedisKeyPool } from '../../src/keys/pool-redis'
import { testKeyPool } from '../keypool.contract'
import { upstashTestEnv } from './provided'

const upstash = upstashTestEnv()
const redis = openUpstash(upstash)
let pools = 0

// 100k keys go as 50 scripts of 2,000 keys, each one HTTP request with a JSON body.
testKeyPool(
  'Upstash in workerd',
  async () => createRedisKeyPool(redis, `${upstash.prefix}${++pools}:`),
  { bulkAddMs: 10_000 },
)
