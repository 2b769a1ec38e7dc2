// The real MariaDB / MySQL for tests: 127.0.0.1:3306 as root without a password, or
// MYSQL_TEST_URL. Each run gets a fresh database `edgeload_test_<random>`, dropped afterwards. In
// CI an unreachable server fails the run; on a laptop the suites that need it are skipped, saying so.
import { createConnection } from 'mysql2/promise'
import { type MysqlTarget, toPoolOptions } from '../../adapters/node/db-mysql'
import { parseDsn } from '../../adapters/node/dsn'

const URL = process.env.MYSQL_TEST_URL ?? 'mysql://root@127.0.0.1:3306/test'

const server = parseDsn(URL) as MysqlTarget

export interface TestDatabase {
  target: MysqlTarget
  /** Empties every table and resets its AUTO_INCREMENT, as a fresh database would be. */
  truncate(): Promise<void>
  drop(): Promise<void>
}

/** A fresh database on the test server, or null (with a visible message) when it is not there. */
export const createTestDatabase = async (): Promise<TestDatabase | null> => {
  let conn
  try {
    conn = await createConnection({ ...toPoolOptions(server), connectTimeout: 3000 })
  } catch (err) {
    const why = `MariaDB/MySQL at ${server.host}:${server.port} is unreachable (${String(err)})`
    if (process.env.CI) throw new Error(`${why}: CI needs it (set MYSQL_TEST_URL)`)
    console.warn(`${why}: skipping the MySQL suites`)
    return null
  }
  const name = `edgeload_test_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`
  await conn.query(`create database \`${name}\` character set utf8mb4`)
  await conn.changeUser({ database: name })
  return {
    target: { ...server, database: name },
    async truncate() {
      const [rows] = await conn.query(
        `select table_name as t from information_schema.tables
         where table_schema = ? and table_name <> '__drizzle_migrations'`,
        [name],
      )
      for (const { t } of rows as { t: string }[]) await conn.query(`truncate table \`${t}\``)
    },
    async drop() {
      await conn.query(`drop database \`${name}\``)
      await conn.end()
    },
  }
}
