// Runs the Store and coordination contracts on remote libSQL: @libsql/client over HTTP with a
// token, against the Hrana test server in front of a real SQLite file (one file per `make`).
// Also the gateway on a libSQL DATABASE_DSN, and a server that refuses the token.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createClient } from '@libsql/client'
import { afterAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../adapters/node/database'
import { openLibsqlRemote } from '../adapters/node/db-libsql'
import { parseDsn } from '../adapters/node/dsn'
import { journalTimes } from '../adapters/node/schema-gate'
import type { SqliteHandle } from '../adapters/node/db'
import { createSqlCoordination } from '../src/coord/sql'
import { testCoordination } from './coord.contract'
import { startChild } from './helpers/child'
import { startTestGateway } from './helpers/gateway'
import { startHranaServer, type HranaServer } from './helpers/hrana-server'
import { testStore } from './store.contract'
import { groupInput, logRow, newKeys, T0 } from './store.fixtures'

const SQLITE_MIGRATIONS = fileURLToPath(new URL('../migrations/sqlite', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'edgeload-libsql-'))
const servers: HranaServer[] = []
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()))
  rmSync(dir, { recursive: true, force: true })
})

let n = 0
/** A libSQL server over a fresh file; `raw` is the env the gateway would read. */
const freshServer = async () => {
  const server = await startHranaServer(join(dir, `remote-${++n}.db`), `tok-${n}-secret`)
  servers.push(server)
  return {
    server,
    raw: { DATABASE_DSN: server.url, LIBSQL_AUTH_TOKEN: server.token },
    target: parseDsn(server.url, { LIBSQL_AUTH_TOKEN: server.token }) as Extract<
      ReturnType<typeof parseDsn>,
      { kind: 'libsql' }
    >,
  }
}

testStore('remote libSQL', async () => {
  const { target } = await freshServer()
  const { store, close } = await openLibsqlRemote(target)
  return { store, close }
})

testCoordination('remote libSQL', async (now) => {
  const { target } = await freshServer()
  const handles: SqliteHandle[] = []
  return {
    async open() {
      // One client per node, as separate processes would have.
      const h = await openLibsqlRemote(target)
      handles.push(h)
      return createSqlCoordination(h.db, now)
    },
    async close() {
      await Promise.all(handles.map((h) => h.close()))
    },
  }
})

describe('remote libSQL specifics', () => {
  it('takes a libsql:// URL with ?tls=0, and keeps milliseconds', async () => {
    const { server } = await freshServer()
    const url = `${server.url.replace('http://', 'libsql://')}?tls=0`
    const db = await openDatabase(url, { LIBSQL_AUTH_TOKEN: server.token })
    try {
      expect(db.name).toBe(`libSQL ${new URL(server.url).host}`)
      const gid = (await db.store.createGroup(groupInput('alpha'))).id
      await db.store.insertLogs([logRow({ group_id: gid, timestamp: new Date(T0 + 123) })])
      const [log] = (await db.store.queryLogs({ page: 1, page_size: 10 })).items
      expect(log.timestamp.getTime()).toBe(T0 + 123)
    } finally {
      await db.close()
    }
  })

  it('runs a Store write as one request: a 500-key import costs a handful of round trips', async () => {
    const { server, target } = await freshServer()
    const h = await openLibsqlRemote(target)
    try {
      const gid = (await h.store.createGroup(groupInput('bulk'))).id
      const before = server.requests()
      await h.store.addKeys(gid, newKeys(500))
      const trips = server.requests() - before
      expect((await h.store.countKeys(gid)).total).toBe(500)
      expect(trips).toBeLessThanOrEqual(10)
    } finally {
      await h.close()
    }
  })

  it('takes 20 concurrent batches of writes from two clients without a lost write', async () => {
    const { target } = await freshServer()
    const [a, b] = [await openLibsqlRemote(target), await openLibsqlRemote(target)]
    try {
      const gid = (await a.store.createGroup(groupInput('alpha'))).id
      const keys = await a.store.addKeys(gid, newKeys(10))
      await Promise.all(
        Array.from({ length: 20 }, (_, r) => {
          const h = r % 2 ? a : b
          return Promise.all([
            h.store.insertLogs(
              keys.map((k, i) =>
                logRow({
                  group_id: gid,
                  key_hash: k.key_hash,
                  timestamp: new Date(T0 + r * 10 + i),
                }),
              ),
            ),
            h.store.addKeys(gid, newKeys(3, `r${r}`)),
          ])
        }),
      )
      expect((await b.store.queryLogs({ page: 1, page_size: 1 })).total).toBe(200)
      expect((await b.store.countKeys(gid)).total).toBe(10 + 20 * 3)
      const used = await Promise.all(keys.map((k) => a.store.getKey(k.id)))
      expect(used.map((k) => k?.request_count)).toEqual(keys.map(() => 20))
    } finally {
      await Promise.all([a.close(), b.close()])
    }
  })

  it('refuses a wrong token at open, naming the server and never the token', async () => {
    const { server, target } = await freshServer()
    const err = await openLibsqlRemote({ ...target, authToken: 'wrong-token-xyz' }).catch((e) => e)
    expect(String(err)).toMatch(new RegExp(`cannot use libSQL ${new URL(server.url).host}.*401`))
    expect(String(err)).not.toContain('wrong-token-xyz')
    expect(String(err)).not.toContain(server.token)
  })

  it('refuses an unreachable server at open with a clear message', async () => {
    const err = await openLibsqlRemote({
      kind: 'libsql',
      url: 'http://127.0.0.1:1',
      authToken: 'tok',
    }).catch((e) => e)
    expect(String(err)).toMatch(/DATABASE_DSN: cannot use libSQL 127\.0\.0\.1:1/)
  })
})

describe('npm run db:migrate', () => {
  it('brings a remote libSQL database to the current schema and exits 0', async () => {
    const { raw, target } = await freshServer()
    const child = startChild(dir, { ...process.env, ...raw, LOG_LEVEL: 'error' }, ['migrate'])
    const exit = await child.exit
    expect(exit.code, child.out.text).toBe(0)
    expect(child.out.text).toContain('the schema is current')
    const client = createClient({ url: target.url, authToken: target.authToken })
    try {
      const applied = await client.execute('select count(*) as n from __drizzle_migrations')
      expect(Number(applied.rows[0]!.n)).toBe(journalTimes(SQLITE_MIGRATIONS).length)
    } finally {
      client.close()
    }
  })
})

describe('the Node gateway on remote libSQL', () => {
  it('starts on an http:// DSN with LIBSQL_AUTH_TOKEN and keeps what the admin API writes', async () => {
    const { raw } = await freshServer()
    const first = await startTestGateway(raw)
    const id = await first.createGroup(
      { name: 'libsql-group', upstreams: [{ url: 'http://127.0.0.1:9', weight: 1 }] },
      ['sk-ls-1', 'sk-ls-2'],
    )
    await first.stop()
    const again = await startTestGateway(raw)
    try {
      expect(Object.keys(await again.keysOf(id)).sort()).toEqual(['sk-ls-1', 'sk-ls-2'])
      const ready = await fetch(`${again.url}/health/ready`)
      expect(ready.status).toBe(200)
    } finally {
      await again.stop()
    }
  })
})
