// SQLite indexes request logs by the key hash's first character and time (migration 0012), not
// by the whole hash. The Store's reads and writes by hash must still go through that index: this
// records the statements the real Store sends to a real SQLite file and asks SQLite for each plan.
import type { Client, InArgs, InStatement } from '@libsql/client'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openSqlite, type SqliteHandle } from '../adapters/node/db'
import { rollbackTo } from './helpers/rollback'
import { groupInput, logRow, T0 } from './store.fixtures'

const INDEX = 'idx_request_logs_key_bucket'
const hashOf = (i: number) => `${'0123456789abcdef'[i % 16]}${String(i).padStart(4, '0')}`

let dir: string
let h: SqliteHandle
let sent: { sql: string; args: InArgs }[] = []

// drizzle keeps its driver there at runtime; SqliteHandle's type leaves it out.
const clientOf = (handle: SqliteHandle) => (handle.db as unknown as { $client: Client }).$client

/** The plan of every statement on request_logs that `run` sends, one text per statement. */
const plansOf = async (run: () => Promise<unknown>) => {
  sent = []
  await run()
  const client = clientOf(h)
  const plans: string[] = []
  for (const s of sent.filter((x) => /request_logs/.test(x.sql) && !/^insert/i.test(x.sql))) {
    const r = await client.execute({ sql: `explain query plan ${s.sql}`, args: s.args })
    plans.push(r.rows.map((row) => String(row.detail)).join(' | '))
  }
  return plans
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edgeload-bucket-'))
  h = await openSqlite(join(dir, 'edgeload.db'))
  const client = clientOf(h)
  const record = (stmt: InStatement) =>
    sent.push(
      typeof stmt === 'string' ? { sql: stmt, args: [] } : { sql: stmt.sql, args: stmt.args ?? [] },
    )
  const execute = client.execute.bind(client)
  const batch = client.batch.bind(client)
  client.execute = ((stmt: InStatement) => (record(stmt), execute(stmt))) as Client['execute']
  client.batch = ((stmts: InStatement[], mode) => (
    stmts.forEach(record),
    batch(stmts, mode)
  )) as Client['batch']
  const gid = (await h.store.createGroup(groupInput('alpha'))).id
  await h.store.addKeys(
    gid,
    Array.from({ length: 200 }, (_, i) => ({ key_value: `sk-${i}`, key_hash: hashOf(i) })),
  )
  await h.store.insertLogs(
    Array.from({ length: 4000 }, (_, i) =>
      logRow({ group_id: gid, key_hash: hashOf(i % 200), timestamp: new Date(T0 + i) }),
    ),
  )
})

afterAll(async () => {
  await h?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('the log index on key-hash buckets', () => {
  it('is the only index on key_hash, led by the first character', async () => {
    const rows = await h.db.all<{ name: string; sql: string }>(
      sql`select name, sql from sqlite_master where tbl_name = 'request_logs' and type = 'index'`,
    )
    const byName = Object.fromEntries(rows.map((r) => [r.name, r.sql]))
    expect(byName.idx_request_logs_key_hash).toBeUndefined()
    expect(byName[INDEX]).toMatch(/\(substr\(`key_hash`, 1, 1\),`timestamp`,`key_hash`\)/)
  })

  it('serves the log list and its count by key', async () => {
    const plans = await plansOf(async () => {
      const page = await h.store.queryLogs({ page: 1, page_size: 5, key_hash: hashOf(7) })
      expect(page.total).toBe(20)
      expect(page.items.every((r) => r.key_hash === hashOf(7))).toBe(true)
    })
    expect(plans.length).toBeGreaterThanOrEqual(2)
    for (const p of plans) {
      expect(p).toContain(INDEX)
      expect(p).not.toMatch(/SCAN request_logs(?! USING)/)
    }
  })

  it('serves the export bucket by bucket, and the seek to the next bucket', async () => {
    const plans = await plansOf(async () => {
      const rows = await h.store.logKeys({}, hashOf(13), 30)
      expect(rows.map((r) => r.key_hash)).toEqual(
        Array.from({ length: 200 }, (_, i) => hashOf(i))
          .filter((x) => x > hashOf(13))
          .sort()
          .slice(0, 30),
      )
    })
    // Bucket 'd' (after 'd0013'), then the seek to 'e' and its read, then 'f' likewise.
    expect(plans.length).toBeGreaterThanOrEqual(3)
    for (const p of plans) expect(p).toContain(INDEX)
  })

  it('moves a rewritten key’s logs through the index', async () => {
    const idOf = new Map((await h.store.scanKeys(0, 1000)).map((k) => [k.key_hash, k.id]))
    const plans = await plansOf(() =>
      h.store.rewriteKeys(
        [3, 19, 4].map((i) => ({
          id: idOf.get(hashOf(i))!,
          key_value: `sk-${i}`,
          key_hash: `${hashOf(i)}-new`,
          old_hash: hashOf(i),
        })),
      ),
    )
    // Keys 3 and 19 share bucket '3': one statement for them, one for key 4.
    expect(plans).toHaveLength(2)
    for (const p of plans) expect(p).toContain(INDEX)
    expect(
      (await h.store.queryLogs({ page: 1, page_size: 1, key_hash: `${hashOf(19)}-new` })).total,
    ).toBe(20)
    expect((await h.store.queryLogs({ page: 1, page_size: 1, key_hash: hashOf(19) })).total).toBe(0)
  })

  it('replaces the whole-hash index on a database from before, keeping its logs', async () => {
    const file = join(dir, 'edgeload.db')
    await h.close()
    // A fresh connection: this one's recorded statements may still hold the table.
    const before = await openSqlite(file)
    for (const s of rollbackTo('0012_')) await before.db.run(sql.raw(s))
    await before.close()
    h = await openSqlite(file)
    const names = await h.db.all<{ name: string }>(
      sql`select name from sqlite_master where tbl_name = 'request_logs' and name like 'idx_%'`,
    )
    expect(names.map((r) => r.name).sort()).toEqual([INDEX, 'idx_request_logs_timestamp'])
    expect((await h.store.queryLogs({ page: 1, page_size: 1, key_hash: hashOf(7) })).total).toBe(20)
  })
})
