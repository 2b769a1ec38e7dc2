// The conformance suite on the whole Node gateway as a cluster node runs: a real HTTP server on
// loopback, SQLite, and the key pool, leases and log queue in the real Redis (fresh prefix). It
// runs as a slave on a database migrated beforehand, so no leader job (re-validation of the
// suite's blacklisted keys) calls the upstream behind the tests' backs; a flush pushes this
// node's rows to the queue and drains it as the leader would.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openSqlite } from '../adapters/node/db'
import { CONFORMANCE_BEHAVIOURS } from './conformance/behaviours'
import { testConformance } from './conformance/suite'
import { startFakeUpstream } from './helpers/fake-upstream'
import { ADMIN_KEY, startTestGateway } from './helpers/gateway'
import { dropRedisPrefix, freshRedisPrefix, redisTestEnv } from './helpers/redis'
import { drainLogQueue } from '../src/logs/drain'

testConformance('Node gateway (SQLite, Redis pool and log queue)', async () => {
  const upstream = await startFakeUpstream({ behaviours: CONFORMANCE_BEHAVIOURS })
  const prefix = freshRedisPrefix()
  const dir = mkdtempSync(join(tmpdir(), 'edgeload-conformance-'))
  const file = join(dir, 'edgeload.db')
  await (await openSqlite(file)).close()
  const t = await startTestGateway({
    ...redisTestEnv(prefix),
    DATABASE_DSN: file,
    IS_SLAVE: 'true',
    LOG_LEVEL: 'error',
  })
  const core = t.gw.edgeload.core
  return {
    request: (path, init) => fetch(t.url + path, init),
    adminKey: ADMIN_KEY,
    upstreamUrl: upstream.url,
    async flush() {
      await core.logs.flush()
      await drainLogQueue(core.deps.logQueue!, core.deps.store, core.deps.now, 5_000)
      await core.keys.flush()
    },
    async close() {
      await t.stop()
      await upstream.close()
      await dropRedisPrefix(prefix)
      rmSync(dir, { recursive: true, force: true })
    },
  }
})
