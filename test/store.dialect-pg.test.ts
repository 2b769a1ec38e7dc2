// PostgreSQL's Dialect, as SQL text: casts for values that travel as text, the identity's next
// value, ILIKE with escapes, and what it reads from node-postgres's results and errors.
import { sql, type SQL } from 'drizzle-orm'
import { PgDialect } from 'drizzle-orm/pg-core'
import { describe, expect, it } from 'vitest'
import { pgDialect as d } from '../src/store/dialect-pg'

const { apiKeys, requestLogs, systemSettings } = d.t

const compile = (fragment: SQL) => {
  const { sql: text, params } = new PgDialect().sqlToQuery(fragment)
  return { sql: text, params }
}

describe('the PostgreSQL dialect', () => {
  it('unpacks JSON rows, casting each cell to its column: ms to timestamptz, 1/0 to boolean', () => {
    const rows = d.jsonRows('[[1,"a"]]')
    const cells = sql.join(
      [
        rows.cell(0, apiKeys.key_hash),
        rows.cell(1, requestLogs.timestamp),
        rows.cell(2, requestLogs.is_success),
        rows.cell(3, requestLogs.status_code),
      ],
      sql`, `,
    )
    expect(compile(sql`select ${cells} from ${rows.from}`)).toEqual({
      sql:
        'select (json_rows.value ->> 0), ' +
        "(timestamptz 'epoch' + (json_rows.value ->> 1)::bigint * interval '1 millisecond'), " +
        '((json_rows.value ->> 2))::integer::boolean, cast((json_rows.value ->> 3) as integer) ' +
        'from json_array_elements($1::json) as json_rows(value)',
      params: ['[[1,"a"]]'],
    })
  })

  it('turns a NUL escape into U+FFFD, and leaves the text \\u0000 alone', () => {
    const json = JSON.stringify([['a\u0000b', '\\u0000', '\\\u0000']])
    const { params } = compile(d.jsonRows(json).from)
    expect(JSON.parse(params[0] as string)).toEqual([['a\ufffdb', '\\u0000', '\\\ufffd']])
  })

  it('takes the next identity value for a generated id', () => {
    expect(compile(d.generatedId(apiKeys.id))).toEqual({
      sql: 'nextval(pg_get_serial_sequence($1, $2))',
      params: ['"api_keys"', 'id'],
    })
  })

  it('escapes LIKE wildcards, ignores case, writes booleans and skips NULL in greatest', () => {
    expect(compile(d.contains(requestLogs.model, 'a_b%'))).toEqual({
      sql: `"request_logs"."model" ilike $1 escape '\\'`,
      params: ['%a\\_b\\%%'],
    })
    expect([compile(d.bool(true)).sql, compile(d.bool(false)).sql]).toEqual(['true', 'false'])
    expect(compile(d.greatest(apiKeys.last_used_at, sql`5`)).sql).toBe(
      'greatest("api_keys"."last_used_at", 5)',
    )
    expect(compile(d.proposed(systemSettings.setting_value)).sql).toBe('excluded."setting_value"')
  })

  it('counts rows from rowCount and finds a unique violation by its SQLSTATE', () => {
    expect(d.changes({ rowCount: 2 })).toBe(2)
    expect(d.changes({ rowCount: null })).toBe(0)
    const cause = Object.assign(new Error('duplicate key'), { code: '23505' })
    expect(d.isUniqueViolation(new Error('Failed query', { cause }))).toBe(true)
    const other = Object.assign(new Error('deadlock'), { code: '40P01' })
    expect(d.isUniqueViolation(new Error('Failed query', { cause: other }))).toBe(false)
  })
})
