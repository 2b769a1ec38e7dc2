// The log queue contract on Upstash: the real @upstash/redis client through openUpstash, over
// the Upstash-REST test server in front of the real Redis; the run's keys removed afterwards.
import { afterAll } from 'vitest'
import { openUpstash } from '../adapters/workers/upstash'
import { dropRedisPrefix, freshRedisPrefix } from './helpers/redis'
import { startUpstashServer } from './helpers/upstash-server'
import { testLogQueue } from './log-queue.contract'

const server = await startUpstashServer()
const redis = openUpstash(server)
const run = freshRedisPrefix()
let queues = 0

afterAll(async () => {
  await dropRedisPrefix(run)
  await server.close()
})

testLogQueue('Upstash', () => ({ redis, prefix: `${run}${++queues}:` }))
