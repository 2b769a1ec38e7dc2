// The coordination contract inside workerd on Upstash: openUpstash over the real @upstash/redis
// client, one client per node, to the Upstash-REST test server in front of Redis. Each test gets
// its own key prefix; the run's keys are removed by the global teardown.
import { openUpstash } from '../../adapters/workers/upstash'
import { createRedisCoordination } from '../../src/coord/redis'
import { testCoordination } from '../coord.contract'
import { upstashTestEnv } from './provided'

testCoordination('Upstash in workerd', async (now) => {
  const upstash = upstashTestEnv()
  return {
    open: async () => createRedisCoordination(openUpstash(upstash), upstash.prefix, now),
    close: async () => {},
  }
})
