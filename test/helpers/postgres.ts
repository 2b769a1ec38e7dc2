// A fresh PostgreSQL database per test run: created on the server PG_TEST_URL names (the local
// trust-authenticated one by default), dropped afterwards. In CI an unreachable server fails the
// suite; on a laptop without PostgreSQL the suite is skipped with a message saying so.
import pg from 'pg'

export const PG_TEST_URL = process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

export interface FreshPostgres {
  /** The fresh database's URL. */
  url: string
  /** Drops it, ending the connections still open to it. */
  drop(): Promise<void>
}

const admin = async <T>(run: (c: pg.Client) => Promise<T>): Promise<T> => {
  const client = new pg.Client({ connectionString: PG_TEST_URL, connectionTimeoutMillis: 3000 })
  await client.connect()
  try {
    return await run(client)
  } finally {
    await client.end()
  }
}

/** Creates `edgeload_test_<random>`, or says why the server cannot be reached. */
export const freshPostgres = async (): Promise<FreshPostgres | { unreachable: string }> => {
  const name = `edgeload_test_${Math.random().toString(36).slice(2, 10)}`
  try {
    await admin((c) => c.query(`create database ${name}`))
  } catch (err) {
    return { unreachable: `${PG_TEST_URL.replace(/:[^:@/]*@/, ':***@')}: ${String(err)}` }
  }
  const url = new URL(PG_TEST_URL)
  url.pathname = `/${name}`
  return {
    url: url.href,
    drop: () =>
      admin((c) => c.query(`drop database if exists ${name} with (force)`)).then(() => {}),
  }
}

/**
 * Registers `suite` on a fresh database, or explains why it cannot: a failing test in CI (a
 * required service is down), a visible skip elsewhere.
 */
export const withPostgres = (
  db: FreshPostgres | { unreachable: string },
  describe: typeof import('vitest').describe,
  it: typeof import('vitest').it,
  suite: (db: FreshPostgres) => void,
) => {
  if ('url' in db) return suite(db)
  if (process.env.CI) {
    describe('PostgreSQL', () => {
      it('is reachable (required in CI)', () => {
        throw new Error(`PostgreSQL unreachable: ${db.unreachable}`)
      })
    })
    return
  }
  console.warn(`[skipped] PostgreSQL tests: server unreachable (${db.unreachable})`)
  describe.skip(`PostgreSQL (unreachable: ${db.unreachable})`, () => {
    it('needs a PostgreSQL server', () => {})
  })
}
