// DATABASE_DSN parsing (adapters/node/dsn.ts): each form selects its database, GPT-Load's Go MySQL
// form included; malformed ones are refused with a message that never shows the password.
import { describe, expect, it } from 'vitest'
import { describeTarget, DsnError, parseDsn } from '../adapters/node/dsn'
import { startTestGateway } from './helpers/gateway'
import { ConfigError } from '../src/config/env'

describe('parseDsn', () => {
  it('reads PostgreSQL URLs', () => {
    for (const url of ['postgres://u:p@127.0.0.1:5432/test', 'postgresql://db.example/app']) {
      expect(parseDsn(url)).toEqual({ kind: 'postgres', url })
    }
    expect(describeTarget(parseDsn('postgres://u:secret@db:5432/app'))).toBe(
      'PostgreSQL db:5432/app',
    )
  })

  it('reads MySQL as a URL and in GPT-Load’s Go form', () => {
    const want = {
      kind: 'mysql',
      host: '127.0.0.1',
      port: 3306,
      user: 'root',
      password: 'p@ss:word',
      database: 'gpt-load',
      params: { charset: 'utf8mb4', parseTime: 'True', loc: 'Local' },
    }
    const query = '?charset=utf8mb4&parseTime=True&loc=Local'
    expect(parseDsn(`root:p@ss:word@tcp(127.0.0.1:3306)/gpt-load${query}`)).toEqual(want)
    expect(parseDsn(`mysql://root:p%40ss%3Aword@127.0.0.1:3306/gpt-load${query}`)).toEqual(want)
    // Defaults, as Go's driver has them: port 3306, user root, no password.
    expect(parseDsn('tcp(db)/app')).toMatchObject({
      host: 'db',
      port: 3306,
      user: 'root',
      password: '',
    })
    expect(parseDsn('u@tcp(db:3307)/app')).toMatchObject({ user: 'u', port: 3307, params: {} })
    expect(describeTarget(parseDsn('u:secret@tcp(db:3307)/app'))).toBe('MySQL u@db:3307/app')
  })

  it('reads remote libSQL, and SQLite paths and file: URLs', () => {
    expect(parseDsn('libsql://x.turso.io')).toEqual({ kind: 'libsql', url: 'libsql://x.turso.io' })
    expect(parseDsn('https://x.turso.io', { LIBSQL_AUTH_TOKEN: 't' })).toEqual({
      kind: 'libsql',
      url: 'https://x.turso.io',
      authToken: 't',
    })
    expect(parseDsn('./data/edgeload.db')).toEqual({ kind: 'sqlite', path: './data/edgeload.db' })
    expect(parseDsn('file:./data/e.db')).toEqual({ kind: 'sqlite', path: './data/e.db' })
    expect(parseDsn('file:///srv/e.db')).toEqual({ kind: 'sqlite', path: '/srv/e.db' })
    expect(parseDsn(':memory:')).toEqual({ kind: 'sqlite', path: ':memory:' })
  })

  it('refuses malformed DSNs clearly, never echoing the password', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /empty/],
      ['u:hunter2@tcp(db:99999)/app', /port must be 1–65535/],
      ['u:hunter2@tcp(db)/', /needs a database name/],
      ['mysql://u:hunter2@db:3306/', /needs a database name/],
      ['postgres://', /not a valid postgres:\/\/ URL/],
      ['https://x.turso.io', /needs LIBSQL_AUTH_TOKEN/],
      ['redis://127.0.0.1', /unknown scheme redis:\/\//],
    ]
    for (const [dsn, message] of cases) {
      let err: unknown
      try {
        parseDsn(dsn)
      } catch (e) {
        err = e
      }
      expect(err, dsn).toBeInstanceOf(DsnError)
      expect(String((err as Error).message)).toMatch(message)
      expect(String((err as Error).message)).not.toContain('hunter2')
    }
  })
})

describe('the Node gateway and DATABASE_DSN', () => {
  // Opening it is test/store.libsql.test.ts's; here that no secret of the DSN reaches a message.
  it('fails on a libSQL server it cannot use, naming it without password or token', async () => {
    const dsns = [
      'libsql://u:hunter2@127.0.0.1:1?tls=0',
      'libsql://127.0.0.1:1?tls=0&authToken=hunter2',
      'http://127.0.0.1:1',
    ]
    for (const dsn of dsns) {
      const err = await startTestGateway({ DATABASE_DSN: dsn, LIBSQL_AUTH_TOKEN: 'hunter2' }).then(
        () => null,
        (e: unknown) => e as Error,
      )
      expect(err?.message, dsn).toMatch(/DATABASE_DSN: cannot use libSQL 127\.0\.0\.1:1/)
      expect(err?.message, dsn).not.toContain('hunter2')
    }
  })

  // Opening it is test/store.pg.test.ts's; here only that a PostgreSQL DSN is taken, not refused.
  it('takes a PostgreSQL DSN, and fails on an unreachable server without the password', async () => {
    const err = await startTestGateway({
      DATABASE_DSN: 'postgres://u:hunter2@127.0.0.1:1/test',
    }).then(
      () => null,
      (e: unknown) => e as Error,
    )
    expect(err?.message).toMatch(/ECONNREFUSED/)
    expect(err?.message).not.toMatch(/not supported|hunter2/)
  })

  // Refused by the server (or unreachable): either way the message keeps the password out.
  it('fails to start on a MySQL login that is refused, without showing the password', async () => {
    const dsn = 'root:hunter2@tcp(127.0.0.1:3306)/test?charset=utf8mb4&parseTime=True&loc=Local'
    const err = await startTestGateway({ DATABASE_DSN: dsn }).then(
      () => null,
      (e: unknown) => e as Error,
    )
    expect(err).toBeInstanceOf(Error)
    expect(err?.message).not.toMatch(/is not supported yet/)
    expect(err?.message).not.toContain('hunter2')
  })
})

describe('the Node gateway and REDIS_DSN', () => {
  it('refuses to start when Redis does not answer, naming it without its password', async () => {
    const t0 = Date.now()
    const err = await startTestGateway({ REDIS_DSN: 'redis://u:hunter2@127.0.0.1:1/0' }).then(
      () => null,
      (e: unknown) => e as Error,
    )
    expect(err).toBeInstanceOf(ConfigError)
    expect(err?.message).toMatch(/^REDIS_DSN: cannot reach redis:\/\/u:\*\*\*@127\.0\.0\.1:1\/0/)
    expect(err?.message).not.toContain('hunter2')
    expect(Date.now() - t0).toBeLessThan(8000)
  })
})
