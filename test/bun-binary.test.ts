// The Bun single executable (issue 14): built once, copied into an empty folder and started there
// with PATH emptied, as on a machine with no Node, npm or network. On SQLite (the defaults: a
// generated ./data/auth.key, ./data/edgeload.db), on PostgreSQL with Redis, and on MariaDB: the
// smoke path, then SIGTERM draining a stream and exiting 0. The SQLite file it created then opens
// under the Node gateway, its migrations recorded as drizzle records them. Upstream calls through
// Bun's fetch are in test/bun-fetch.test.ts.
import { spawnSync } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openSqlite } from '../adapters/node/db'
import { folderMigrations } from '../adapters/node/migrations'
import { startNodeGateway } from '../adapters/node/server'
import {
  buildBinary,
  emptyFolderWithBinary,
  runBinary,
  sigtermDrains,
  smoke,
  SMOKE_BEHAVIOURS,
  startBinaryGateway,
} from './helpers/bun-binary'
import type { StartedChild } from './helpers/child'
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream'
import { createTestDatabase, type TestDatabase } from './helpers/mysql'
import { freshPostgres, type FreshPostgres } from './helpers/postgres'
import { dropRedisPrefix, freshRedisPrefix, REDIS_TEST_URL } from './helpers/redis'
import { within } from './helpers/wait'

let up: FakeUpstream
const dirs: string[] = []
const children: StartedChild[] = []

const folder = () => {
  const f = emptyFolderWithBinary()
  dirs.push(f.dir)
  return f
}

beforeAll(async () => {
  buildBinary()
  up = await startFakeUpstream({ behaviours: SMOKE_BEHAVIOURS })
}, 300_000)

afterAll(async () => {
  for (const c of children)
    if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL')
  await up?.close()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

describe('the Bun binary', () => {
  it('answers --version with package.json version and --help with usage, without starting', () => {
    const { dir, bin } = folder()
    const { version } = JSON.parse(
      readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
    )
    // A compiled binary that ignored these would start serving: the timeout bounds that.
    const cli = (arg: string) =>
      spawnSync(bin, [arg], { cwd: dir, env: { PATH: '' }, encoding: 'utf8', timeout: 10_000 })
    const v = cli('--version')
    expect(v.status).toBe(0)
    expect(v.stdout.trim()).toBe(version)
    const h = cli('--help')
    expect(h.status).toBe(0)
    expect(h.stdout).toContain('edgeload migrate-keys')
    expect(h.stdout).toContain('DATABASE_DSN=./data/edgeload.db')
  })

  describe('on SQLite with the defaults', () => {
    let dir = ''
    let adminKey = ''
    let group = ''

    it('starts in an empty folder, serves the smoke path, drains a stream on SIGTERM, exits 0', async () => {
      dir = folder().dir
      // No AUTH_KEY and no DATABASE_DSN: ./data/auth.key is generated, ./data/edgeload.db used.
      const child = await startBinaryGateway(dir)
      children.push(child)
      adminKey = readFileSync(join(dir, 'data/auth.key'), 'utf8').trim()
      expect(adminKey).toMatch(/^el-/)
      expect(child.out.text).toContain(adminKey)
      expect(child.out.text).toContain('SQLite ./data/edgeload.db')

      // The console comes from memory, compressed and cached as on Node.
      const page = await fetch(`${child.url}/`, { headers: { 'accept-encoding': 'gzip' } })
      expect(page.status).toBe(200)
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
      expect(page.headers.get('content-encoding')).toBe('gzip')
      expect(page.headers.get('cache-control')).toBe('no-cache')
      const html = await page.text()
      const asset = /\/assets\/[^"]+\.js/.exec(html)?.[0]
      expect(asset).toBeTruthy()
      const js = await fetch(`${child.url}${asset}`)
      expect(js.status).toBe(200)
      expect(js.headers.get('content-type')).toContain('javascript')
      expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
      expect((await fetch(`${child.url}/assets/missing.js`)).status).toBe(404)
      expect((await fetch(`${child.url}/groups`)).headers.get('content-type')).toContain(
        'text/html',
      )

      group = await smoke(child.url, adminKey, up.url, 'bun-sqlite')
      await sigtermDrains(child, adminKey, group)
    }, 60_000)

    it('runs migrate-keys as a subcommand on the same database', async () => {
      expect(dir).not.toBe('')
      const run = runBinary(dir, {}, ['migrate-keys', '--to', 'a-new-encryption-key-0123456789'])
      const exit = await within(run.exit, 20_000, () => `migrate-keys (output: ${run.out.text})`)
      expect(run.out.text).toContain('done: 1/1 keys: 1 rewritten')
      expect(exit.code).toBe(0)
      const bad = runBinary(dir, {}, ['migrate-keys'])
      expect((await within(bad.exit, 20_000, 'usage')).code).toBe(2)
      expect(bad.out.text).toContain('usage: edgeload migrate-keys')
    }, 30_000)

    it('leaves a database the Node gateway opens: same migration records, same data', async () => {
      expect(dir).not.toBe('')
      const file = join(dir, 'data/edgeload.db')
      const expected = folderMigrations('sqlite').map((m) => [m.hash, m.folderMillis])
      const sqlite = await openSqlite(file)
      try {
        const rows = await sqlite.db.all<{ hash: string; created_at: number }>(
          sql`select hash, created_at from __drizzle_migrations order by created_at`,
        )
        expect(rows.map((r) => [r.hash, Number(r.created_at)])).toEqual(expected)
      } finally {
        await sqlite.close()
      }
      // The Node gateway starts on it without migrating, and sees what the binary stored.
      const gw = await startNodeGateway({
        PORT: '0',
        HOST: '127.0.0.1',
        AUTH_KEY: adminKey,
        ENCRYPTION_KEY: 'a-new-encryption-key-0123456789',
        DATABASE_DSN: file,
        LOG_LEVEL: 'error',
      })
      try {
        const url = `http://127.0.0.1:${gw.port}`
        const headers = { authorization: `Bearer ${adminKey}` }
        const groups = await (await fetch(`${url}/api/groups`, { headers })).json()
        expect(groups.data.map((g: { name: string }) => g.name)).toEqual([group])
        const logs = await (await fetch(`${url}/api/logs?group_name=${group}`, { headers })).json()
        expect(logs.data.pagination.total_items).toBeGreaterThanOrEqual(3)
        const res = await fetch(`${url}/proxy/${group}/v1/chat/completions`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify({
            model: 'gpt-4o-mini',
            messages: [{ role: 'user', content: 'hi' }],
          }),
        })
        // The key the binary sealed opens under Node: the upstream saw it.
        expect(res.status).toBe(200)
        expect(up.requests.at(-1)?.credential).toBe('sk-smoke')
      } finally {
        await gw.shutdown()
      }
    }, 30_000)
  })

  it('opens a database file the Node gateway created and migrated', async () => {
    const { dir } = folder()
    const file = join(dir, 'node.db')
    const sqlite = await openSqlite(file)
    await sqlite.store.putSettings({ app_url: 'http://made-by-node.example' })
    await sqlite.close()
    const adminKey = 'bun-binary-admin-key-0123456789'
    const child = await startBinaryGateway(dir, { AUTH_KEY: adminKey, DATABASE_DSN: file })
    children.push(child)
    const res = await fetch(`${child.url}/api/settings`, {
      headers: { authorization: `Bearer ${adminKey}` },
    })
    expect(res.status).toBe(200)
    expect(JSON.stringify(await res.json())).toContain('http://made-by-node.example')
    child.proc.kill('SIGTERM')
    expect(await within(child.exit, 10_000, 'exit')).toEqual({ code: 0, signal: null })
  }, 30_000)

  describe('on PostgreSQL with Redis', () => {
    let pg: FreshPostgres | null = null
    const prefix = freshRedisPrefix()

    afterAll(async () => {
      await pg?.drop()
      await dropRedisPrefix(prefix)
    })

    it('serves the smoke path and drains a stream on SIGTERM', async () => {
      const fresh = await freshPostgres()
      if ('unreachable' in fresh) throw new Error(`PostgreSQL is required: ${fresh.unreachable}`)
      pg = fresh
      const { dir } = folder()
      const adminKey = 'bun-binary-admin-key-0123456789'
      const child = await startBinaryGateway(dir, {
        AUTH_KEY: adminKey,
        DATABASE_DSN: pg.url,
        REDIS_DSN: REDIS_TEST_URL,
        REDIS_PREFIX: prefix,
      })
      children.push(child)
      expect(child.out.text).toMatch(/database":"PostgreSQL/)
      const group = await smoke(child.url, adminKey, up.url, 'bun-pg')
      await sigtermDrains(child, adminKey, group)
    }, 60_000)
  })

  describe('on MariaDB / MySQL', () => {
    let db: TestDatabase | null = null

    afterAll(async () => {
      await db?.drop()
    })

    it('serves the smoke path on the mysql2 driver', async () => {
      db = await createTestDatabase()
      if (!db) throw new Error('MariaDB / MySQL is required')
      const { host, port, user, database } = db.target
      const { dir } = folder()
      const adminKey = 'bun-binary-admin-key-0123456789'
      const child = await startBinaryGateway(dir, {
        AUTH_KEY: adminKey,
        DATABASE_DSN: `mysql://${user}@${host}:${port}/${database}`,
      })
      children.push(child)
      expect(child.out.text).toMatch(/database":"MySQL/)
      await smoke(child.url, adminKey, up.url, 'bun-mysql')
      child.proc.kill('SIGTERM')
      expect(await within(child.exit, 10_000, 'exit')).toEqual({ code: 0, signal: null })
    }, 60_000)
  })
})
