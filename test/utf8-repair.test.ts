// A database written by an older version can hold text that is not UTF-8 (a lone surrogate that
// json_each unpacked, half an emoji in a key's mask), and libsql aborts the process when it reads
// such text. Migration 0008 marks a repair that the next start runs once: the rows become valid
// (U+FFFD for the bad bytes) and every read works. The "older" database is made here by writing
// the bytes with X'…' literals and rolling the database back to before migration 0008.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { rollbackTo } from './helpers/rollback'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openSqlite } from '../adapters/node/db'
import { createTestApp } from './helpers/app'
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream'

let up: FakeUpstream
const dirs: string[] = []

beforeAll(async () => {
  up = await startFakeUpstream({ record: false })
})

afterAll(async () => {
  await up?.close()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

// What json_each stored for JSON's lone surrogate escapes: `gpt-` + the three bytes of \ud83d,
// the mask of `sk-🚀…` cut after its high surrogate, a user agent with \udc00.
const BAD = {
  model: "X'6770742DEDA0BD'",
  key_masked: "X'736B2DEDA0BDE280A6'",
  user_agent: "X'75612FEDB080'",
  key_value: "X'736B2DEDA0BD2D6B6579'",
}
const strictUtf8 = new TextDecoder('utf-8', { fatal: true })
const isUtf8 = (hex: string) => {
  try {
    strictUtf8.decode(Buffer.from(hex, 'hex'))
    return true
  } catch {
    return false
  }
}

/** A database as an older version left it: rows with invalid UTF-8, migration 0008 not applied. */
const olderDatabase = async (dbPath: string) => {
  const t = await createTestApp({ dbPath })
  const g = await t.api('POST', '/api/groups', {
    name: 'g',
    channel_type: 'openai',
    upstreams: [{ url: up.url, weight: 1 }],
  })
  const groupId = ((await g.json()) as { data: { id: number } }).data.id
  expect(
    (await t.api('POST', '/api/keys/add-multiple', { group_id: groupId, keys_text: 'sk-ok' }))
      .status,
  ).toBe(200)
  for (let i = 0; i < 3; i++) {
    const r = await t.app.request('/proxy/g/v1/chat/completions', {
      method: 'POST',
      headers: { authorization: `Bearer ${t.authKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: `gpt-${i}`, messages: [] }),
    })
    expect(r.status).toBe(200)
  }
  await t.close() // writes the log rows
  const h = await openSqlite(dbPath)
  const db = h.db
  await db.run(
    sql.raw(
      `update request_logs set model = cast(${BAD.model} as text), key_masked = cast(${BAD.key_masked} as text), user_agent = cast(${BAD.user_agent} as text)`,
    ),
  )
  await db.run(sql.raw(`update api_keys set key_value = cast(${BAD.key_value} as text)`))
  // Back to before 0008, so the next open applies it (and those after it) again.
  for (const s of rollbackTo('0008_')) await db.run(sql.raw(s))
  await h.close()
}

const badHexes = async (dbPath: string) => {
  const h = await openSqlite(dbPath)
  try {
    const logs = await h.db.all<{ m: string; k: string; u: string }>(
      sql.raw('select hex(model) m, hex(key_masked) k, hex(user_agent) u from request_logs'),
    )
    const keys = await h.db.all<{ v: string }>(sql.raw('select hex(key_value) v from api_keys'))
    return [...logs.flatMap((r) => [r.m, r.k, r.u]), ...keys.map((r) => r.v)].filter(
      (hex) => !isUtf8(hex),
    )
  } finally {
    await h.close()
  }
}

describe('text stored as invalid UTF-8 by an older version', () => {
  it('is repaired once at the next start, and every read works', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgeload-utf8-'))
    dirs.push(dir)
    const dbPath = join(dir, 'edgeload.db')
    await olderDatabase(dbPath)

    const t = await createTestApp({ dbPath })
    try {
      // 3 log rows × 3 columns, and the key.
      expect(t.sqlite.repairs.fixed).toBe(10)
      expect(t.sqlite.repairs.scanned).toBe(4)
      const logs = await t.api('GET', '/api/logs')
      expect(logs.status).toBe(200)
      const items = ((await logs.json()) as { data: { items: Record<string, string>[] } }).data
        .items
      expect(items).toHaveLength(3)
      for (const row of items) {
        expect(row.model.startsWith('gpt-\ufffd')).toBe(true)
        expect(row.key_value.startsWith('sk-\ufffd')).toBe(true)
        expect(row.user_agent).toBe('ua/\ufffd\ufffd\ufffd')
      }
      const csv = await t.api('GET', '/api/logs/export')
      expect(csv.status).toBe(200)
      expect(await csv.text()).toMatch(/^sk-\ufffd.*,g,200$/m)
      expect((await t.api('GET', '/api/dashboard/stats')).status).toBe(200)
      const keys = await t.api('GET', '/api/keys?group_id=1&reveal=true')
      expect(keys.status).toBe(200)
      const key = ((await keys.json()) as { data: { items: { key_value: string }[] } }).data
        .items[0]
      expect(key.key_value.startsWith('sk-\ufffd')).toBe(true)
    } finally {
      await t.close()
    }
    expect(await badHexes(dbPath)).toEqual([])

    // Once: the mark is gone, so a later start reads nothing.
    const again = await openSqlite(dbPath)
    expect(again.repairs).toMatchObject({ fixed: 0, scanned: 0 })
    await again.close()
  })

  it('leaves valid non-ASCII text as it is', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgeload-utf8-'))
    dirs.push(dir)
    const dbPath = join(dir, 'edgeload.db')
    const t = await createTestApp({ dbPath })
    // 한 is ED 95 9C: read as a suspect, and left as it is.
    const name = '모델 한 🚀 ünïcode'
    const g = await t.api('POST', '/api/groups', {
      name: 'g',
      display_name: name,
      channel_type: 'openai',
      upstreams: [{ url: up.url, weight: 1 }],
    })
    expect(g.status).toBe(200)
    await t.close()
    const h = await openSqlite(dbPath)
    await h.db.run(sql.raw("insert into pending_repairs values ('utf8')"))
    await h.close()
    const again = await createTestApp({ dbPath })
    expect(again.sqlite.repairs).toMatchObject({ fixed: 0, scanned: 1 })
    const list = await again.api('GET', '/api/groups')
    expect(JSON.stringify(await list.json())).toContain(name)
    await again.close()
  })
})
