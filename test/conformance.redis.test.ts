// The conformance suite on the whole Node gateway as a cluster node runs: a real HTTP server on
// loopback, SQLite, and the key pool, leases and log queue in the real Redis (fresh prefix).
// A flush pushes this node's rows to the queue and drains it as the leader does.
import { CONFORMANCE_BEHAVIOURS } from './conformance/behaviours'
import { testConformance } from './conformance/suite'
import { startFakeUpstream } from './helpers/fake-upstream'
import { ADMIN_KEY, startTestGateway } from './helpers/gateway'
import { dropRedisPrefix, freshRedisPrefix, redisTestEnv } from './helpers/redis'
import { drainLogQueue } from '../src/logs/drain'

testConformance('Node gateway (SQLite, Redis pool and log queue)', async () => {
  const upstream = await startFakeUpstream({ behaviours: CONFORMANCE_BEHAVIOURS })
  const prefix = freshRedisPrefix()
  const t = await startTestGateway({ ...redisTestEnv(prefix), LOG_LEVEL: 'error' })
  const core = t.gw.edgeload.core
  return {
    request: (path, init) => fetch(t.url + path, init),
    adminKey: ADMIN_KEY,
    upstreamUrl: upstream.url,
    async flush() {
      await core.logs.flush()
      await drainLogQueue(core.deps.logQueue!, core.deps.store, core.deps.now, 5_000, () => true)
      await core.keys.flush()
    },
    async close() {
      await t.stop()
      await upstream.close()
      await dropRedisPrefix(prefix)
    },
  }
})
