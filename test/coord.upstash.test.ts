// The coordination contract on Upstash: the real @upstash/redis client through openUpstash, one
// client per node, over the Upstash-REST test server in front of the real Redis; a fresh key
// prefix per test, removed afterwards.
import { afterAll } from 'vitest'
import { openUpstash } from '../adapters/workers/upstash'
import { createRedisCoordination } from '../src/coord/redis'
import { dropRedisPrefix, freshRedisPrefix } from './helpers/redis'
import { startUpstashServer } from './helpers/upstash-server'
import { testCoordination } from './coord.contract'

const server = await startUpstashServer()

afterAll(() => server.close())

testCoordination('Upstash', async (now) => {
  const prefix = freshRedisPrefix()
  return {
    open: async () => createRedisCoordination(openUpstash(server), prefix, now),
    close: () => dropRedisPrefix(prefix),
  }
})
