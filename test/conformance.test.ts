// The conformance suite on Node: createApp over a SQLite file, the memory pool and the global
// fetch, against the fake upstream on loopback. The workerd run is test/workers/conformance.test.ts.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CONFORMANCE_BEHAVIOURS } from './conformance/behaviours'
import { testConformance } from './conformance/suite'
import { createTestApp } from './helpers/app'
import { startFakeUpstream } from './helpers/fake-upstream'

testConformance('Node (SQLite file, memory pool)', async () => {
  const upstream = await startFakeUpstream({ behaviours: CONFORMANCE_BEHAVIOURS })
  const dir = mkdtempSync(join(tmpdir(), 'edgeload-conformance-'))
  const t = await createTestApp({ dbPath: join(dir, 'edgeload.db') })
  return {
    request: async (path, init) => t.app.request(path, init),
    adminKey: t.authKey,
    upstreamUrl: upstream.url,
    async flush() {
      await t.settle()
      await t.core.logs.flush()
      await t.core.keys.flush()
    },
    async close() {
      await t.close()
      await upstream.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
})
