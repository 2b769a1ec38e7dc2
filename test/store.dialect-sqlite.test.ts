// SQLite's Dialect writes the SQL the Store wrote inline before the dialect seam existed.
import { sql, type SQL } from 'drizzle-orm'
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core'
import { createClient, type InValue } from '@libsql/client'
import { describe, expect, it } from 'vitest'
import { sqliteDialect as d } from '../src/store/dialect-sqlite'
import { apiKeys, requestLogs, systemSettings } from '../src/store/schema.sqlite'

const compile = (fragment: SQL) => {
  const { sql: text, params } = new SQLiteSyncDialect().sqlToQuery(fragment)
  return { sql: text, params }
}

describe('the SQLite dialect', () => {
  it('unpacks JSON rows with json_each, each row turned into JSONB once', () => {
    const rows = d.jsonRows('[[1,"a"]]')
    expect(compile(sql`select ${rows.cell(1, apiKeys.key_hash)} from ${rows.from}`)).toEqual({
      sql: 'select value ->> 1 from (select jsonb(value) as value from json_each(?) limit -1 offset 0)',
      params: ['[[1,"a"]]'],
    })
  })

  it('keeps the JSONB rows a subquery of their own in SQLite, and their cells intact', async () => {
    const db = createClient({ url: ':memory:' })
    const rows = d.jsonRows(
      JSON.stringify([
        [7, 'a"\u00e9\n', 1.5],
        [8, null, -2],
      ]),
    )
    const cells = [0, 1, 2].map((i) => rows.cell(i, apiKeys.key_hash))
    const { sql: text, params } = compile(sql`select ${sql.join(cells, sql`, `)} from ${rows.from}`)
    const q = { sql: text, args: params as InValue[] }
    // Flattened, the subquery would put a jsonb() in every cell: a conversion per cell.
    const plan = await db.execute({ sql: `explain query plan ${q.sql}`, args: q.args })
    expect(plan.rows.map((r) => String(r.detail))).toContainEqual(
      expect.stringMatching(/^CO-ROUTINE/),
    )
    const out = await db.execute(q)
    expect(out.rows.map((r) => [r[0], r[1], r[2]])).toEqual([
      [7, 'a"é\n', 1.5],
      [8, null, -2],
    ])
    db.close()
  })

  it('names the proposed value of an upsert with excluded', () => {
    expect(compile(d.proposed(systemSettings.setting_value)).sql).toBe('excluded."setting_value"')
  })

  it('escapes LIKE wildcards and says so', () => {
    expect(compile(d.contains(requestLogs.model, 'a_b%'))).toEqual({
      sql: `"request_logs"."model" like ? escape '\\'`,
      params: ['%a\\_b\\%%'],
    })
  })

  it('orders NULLs last, writes booleans as integers and takes max over a NULL', () => {
    expect(compile(d.descNullsLast(apiKeys.last_used_at)).sql).toBe(
      '"api_keys"."last_used_at" desc nulls last',
    )
    expect([compile(d.bool(true)).sql, compile(d.bool(false)).sql]).toEqual(['1', '0'])
    expect(compile(d.greatest(apiKeys.last_used_at, sql`5`)).sql).toBe(
      'max(coalesce("api_keys"."last_used_at", 0), 5)',
    )
  })

  it('counts changed rows from libsql, D1 and the synchronous drivers alike', () => {
    expect(d.changes({ rowsAffected: 2 })).toBe(2)
    expect(d.changes({ meta: { changes: 3 } })).toBe(3)
    expect(d.changes({ changes: 4, lastInsertRowid: 9 })).toBe(4)
    expect(d.changes(undefined)).toBe(0)
  })

  it('finds a unique violation wrapped by drizzle', () => {
    const cause = new Error('UNIQUE constraint failed: groups.name')
    expect(d.isUniqueViolation(new Error('Failed query', { cause }))).toBe(true)
    expect(d.isUniqueViolation(new Error('CHECK constraint failed'))).toBe(false)
  })
})
