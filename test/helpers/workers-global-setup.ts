// Root global setup for the workers project, run in Node (workerd can neither listen nor speak
// RESP): the admin console build that wrangler.toml serves as assets, the Upstash-REST test
// server for the *.upstash tests, the conformance suite's fake upstream, and a remote libSQL
// server (the Hrana test server over a migrated SQLite file). Their URLs reach the
// tests by `provide` (the root's provided values are every project's). Every Redis key those
// tests write lives under one run prefix, removed at teardown. Runs without the workers project
// start nothing. It is the root's global setup: the workers project's own would be bundled for
// workerd.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { openLibsqlRemote } from '../../adapters/node/db-libsql'
import type {} from '../workers/provided'
import { CONFORMANCE_BEHAVIOURS } from '../conformance/behaviours'
import { ensureAdminBuilt } from './admin-build'
import { startFakeUpstream } from './fake-upstream'
import { startHranaServer } from './hrana-server'
import { dropRedisPrefix, freshRedisPrefix } from './redis'
import { startUpstashServer } from './upstash-server'

export default async function setup(project: TestProject) {
  if (!project.vitest.projects.some((p) => p.name === 'workers')) return
  ensureAdminBuilt()
  const server = await startUpstashServer()
  const upstream = await startFakeUpstream({ behaviours: CONFORMANCE_BEHAVIOURS })
  const dir = mkdtempSync(join(tmpdir(), 'edgeload-workers-libsql-'))
  const libsql = await startHranaServer(join(dir, 'remote.db'), 'workers-libsql-token')
  const migrated = await openLibsqlRemote({
    kind: 'libsql',
    url: libsql.url,
    authToken: libsql.token,
  })
  await migrated.close()
  const prefix = freshRedisPrefix()
  project.provide('upstash', { url: server.url, token: server.token, prefix })
  project.provide('fakeUpstreamUrl', upstream.url)
  project.provide('libsql', { url: libsql.url, token: libsql.token })
  return async () => {
    await dropRedisPrefix(prefix)
    await Promise.all([server.close(), upstream.close(), libsql.close()])
    rmSync(dir, { recursive: true, force: true })
  }
}
