// MySQL's Dialect, as SQL text: JSON_TABLE columns declared as cells are asked for, ON DUPLICATE
// KEY UPDATE for ignore and upsert, LIKE with `!`, the UNION ALL rows table, UPDATE t, (…) u, and
// what it reads from mysql2's results and errors. Also the pool options a MySQL DSN becomes.
import { sql, type SQL } from 'drizzle-orm'
import { MySqlDialect } from 'drizzle-orm/mysql-core'
import { drizzle } from 'drizzle-orm/mysql2'
import { describe, expect, it } from 'vitest'
import { toPoolOptions } from '../adapters/node/db-mysql'
import { parseDsn } from '../adapters/node/dsn'
import { mysqlDialect as d } from '../src/store/dialect-mysql'
import type { SqlDb } from '../src/store/sql-util'

const { apiKeys, coordLeases, requestLogs, systemSettings } = d.t

const compile = (fragment: SQL) => {
  const { sql: text, params } = new MySqlDialect().sqlToQuery(fragment)
  return { sql: text, params }
}

// A drizzle database that never connects: enough to build statements.
const db = drizzle.mock() as unknown as SqlDb

describe('the MySQL dialect', () => {
  it('unpacks JSON rows with JSON_TABLE, declaring each asked-for cell: ms as DATETIME', () => {
    const rows = d.jsonRows('[["h",1]]')
    const cells = sql.join(
      [rows.cell(0, apiKeys.key_hash), rows.cell(1, requestLogs.timestamp)],
      sql`, `,
    )
    expect(
      compile(sql`select ${cells}, ${rows.cell(0, apiKeys.key_hash)} from ${rows.from}`),
    ).toEqual({
      sql:
        "select j.c0, timestampadd(microsecond, j.c1 * 1000, timestamp'1970-01-01 00:00:00'), " +
        "j.c0 from json_table(?, '$[*]' columns (c0 longtext collate utf8mb4_unicode_ci " +
        "path '$[0]', c1 bigint path '$[1]')) as j",
      params: ['[["h",1]]'],
    })
  })

  it('ignores duplicates with a no-op ON DUPLICATE KEY UPDATE, not INSERT IGNORE', () => {
    const q = d.insertIgnore(
      db.insert(systemSettings).values({ setting_key: 'a', setting_value: '1' }),
    )
    expect(q.toSQL().sql).toMatch(
      /^insert into `system_settings` .* on duplicate key update `id` = `system_settings`.`id`$/,
    )
  })

  it('upserts with VALUES(col), and guards every column with IF() for a where', () => {
    const plain = d.upsert(
      db.insert(systemSettings).values({ setting_key: 'a', setting_value: '1' }),
      {
        target: systemSettings.setting_key,
        set: { setting_value: d.proposed(systemSettings.setting_value) },
      },
    )
    expect(plain.toSQL().sql).toMatch(
      /on duplicate key update `setting_value` = values\(`setting_value`\)$/,
    )
    const guarded = d.upsert(db.insert(coordLeases).values({ name: 'l', owner: 'n1', until: 5 }), {
      target: coordLeases.name,
      set: { owner: 'n1', until: 5 },
      where: sql`${coordLeases.until} <= 3`,
    })
    expect(guarded.toSQL()).toMatchObject({
      sql: expect.stringMatching(
        /on duplicate key update `owner` = if\(`coord_leases`.`until` <= 3, \?, `coord_leases`.`owner`\), `until` = if\(`coord_leases`.`until` <= 3, \?, `coord_leases`.`until`\)$/,
      ),
      params: ['l', 'n1', 5, 'n1', 5],
    })
  })

  it('updates from JSON rows named beside the table', () => {
    const u = d.jsonRows('[[1,"h1"]]')
    const n = u.cell(0, apiKeys.request_count)
    const hash = u.cell(1, apiKeys.key_hash)
    const update = db.update(apiKeys).set({ request_count: sql`${apiKeys.request_count} + ${n}` })
    const q = d.updateFrom!(update, u.from).where(sql`${apiKeys.key_hash} = ${hash}`)
    const { sql: text, params } = q.toSQL()
    expect(text).toMatch(
      /^update `api_keys`, json_table\(\?, '\$\[\*\]' columns \(c0 bigint path '\$\[0\]', c1 longtext collate \w+ path '\$\[1\]'\)\) as j set `request_count` = `api_keys`\.`request_count` \+ j\.c0 where `api_keys`\.`key_hash` = j\.c1$/,
    )
    expect(params).toEqual(['[[1,"h1"]]'])
  })

  it('escapes LIKE wildcards with !, sorts NULLs last by DESC, and takes GREATEST over NULL', () => {
    expect(compile(d.contains(requestLogs.model, 'a_b%!'))).toEqual({
      sql: "`request_logs`.`model` like ? escape '!'",
      params: ['%a!_b!%!!%'],
    })
    expect(compile(d.descNullsLast(apiKeys.last_used_at)).sql).toBe(
      '`api_keys`.`last_used_at` desc',
    )
    expect(compile(d.greatest(apiKeys.last_used_at, sql`u.c3`)).sql).toBe(
      'coalesce(greatest(`api_keys`.`last_used_at`, u.c3), u.c3)',
    )
    expect([compile(d.bool(true)).sql, compile(d.bool(false)).sql]).toEqual(['true', 'false'])
  })

  it('counts the rows an UPDATE matched, else affectedRows', () => {
    const header = (affectedRows: number, info = '') => [{ affectedRows, info }, undefined]
    expect(d.changes(header(0, 'Rows matched: 3  Changed: 0  Warnings: 0'))).toBe(3)
    expect(d.changes(header(2))).toBe(2)
    expect(d.changes({ affectedRows: 1 })).toBe(1)
    expect(d.changes(undefined)).toBe(0)
  })

  it('finds ER_DUP_ENTRY wrapped by drizzle', () => {
    const cause = Object.assign(new Error("Duplicate entry 'a' for key 'groups_name_unique'"), {
      errno: 1062,
      code: 'ER_DUP_ENTRY',
    })
    expect(d.isUniqueViolation(new Error('Failed query', { cause }))).toBe(true)
    expect(d.isUniqueViolation(new Error('Failed query', { cause: new Error('other') }))).toBe(
      false,
    )
  })
})

describe('a MySQL DSN as mysql2 pool options', () => {
  it('talks utf8mb4 in the tables’ collation and UTC whatever the Go DSN says', () => {
    const go = parseDsn('root:pw@tcp(db:3307)/gpt-load?charset=utf8mb4&parseTime=True&loc=Local')
    const options = toPoolOptions(go as Parameters<typeof toPoolOptions>[0])
    expect(options).toMatchObject({
      host: 'db',
      port: 3307,
      user: 'root',
      password: 'pw',
      database: 'gpt-load',
      charset: 'UTF8MB4_UNICODE_CI',
      timezone: 'Z',
      supportBigNumbers: true,
      flags: ['-FOUND_ROWS'],
      connectTimeout: 10_000,
    })
    expect(options).not.toHaveProperty('parseTime')
    const url = parseDsn('mysql://u@h/app?charset=latin1&timeout=1.5s')
    expect(toPoolOptions(url as Parameters<typeof toPoolOptions>[0])).toMatchObject({
      charset: 'UTF8MB4_UNICODE_CI',
      connectTimeout: 1500,
    })
  })
})
