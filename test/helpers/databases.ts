// The databases a test can run the gateway on, each fresh per use: a SQLite file in the test's
// folder, PostgreSQL and MariaDB databases created here and dropped by dropAll(), and a remote
// libSQL server over a file in the test's folder.
import { join } from 'node:path'
import { startHranaServer, type HranaServer } from './hrana-server'
import { createTestDatabase, type TestDatabase as FreshMysql } from './mysql'
import { freshPostgres, type FreshPostgres } from './postgres'

export interface TestDatabase {
  name: string
  /** A fresh, empty database; returns its DATABASE_DSN. */
  create(dir: string): Promise<string>
  /** Drops every database this one created. */
  dropAll(): Promise<void>
}

export const sqliteDatabase = (): TestDatabase => ({
  name: 'SQLite',
  create: async (dir) => join(dir, 'edgeload.db'),
  dropAll: async () => {},
})

/** A fresh PostgreSQL database per create(); an unreachable server fails the test. */
export const postgresDatabase = (): TestDatabase => {
  const made: FreshPostgres[] = []
  return {
    name: 'PostgreSQL',
    async create() {
      const db = await freshPostgres()
      if (!('url' in db)) throw new Error(`PostgreSQL unreachable: ${db.unreachable}`)
      made.push(db)
      return db.url
    },
    dropAll: async () => {
      for (const db of made.splice(0)) await db.drop()
    },
  }
}

/** A fresh MariaDB (or MySQL) database per create(), named by GPT-Load's Go DSN form. */
export const mariadbDatabase = (): TestDatabase => {
  const made: FreshMysql[] = []
  return {
    name: 'MariaDB',
    async create() {
      const db = await createTestDatabase()
      if (!db) throw new Error('MariaDB unreachable')
      made.push(db)
      const { user, password, host, port, database } = db.target
      const auth = password ? `${user}:${password}` : user
      return `${auth}@tcp(${host}:${port})/${database}?charset=utf8mb4&parseTime=True&loc=Local`
    },
    dropAll: async () => {
      for (const db of made.splice(0)) await db.drop()
    },
  }
}

/**
 * A remote libSQL server (the Hrana test server over a file in the test's folder) per create(),
 * named as `libsql://host:port?tls=0&authToken=…`, which @libsql/client reads as it is.
 */
export const libsqlDatabase = (): TestDatabase => {
  const made: HranaServer[] = []
  return {
    name: 'remote libSQL',
    async create(dir) {
      const server = await startHranaServer(join(dir, 'remote.db'), `tok-${made.length}`)
      made.push(server)
      const { host } = new URL(server.url)
      return `libsql://${host}?tls=0&authToken=${server.token}`
    },
    dropAll: async () => {
      for (const s of made.splice(0)) await s.close()
    },
  }
}

/** The databases a cluster runs on in CI. */
export const clusterDatabases = (): TestDatabase[] => [
  sqliteDatabase(),
  postgresDatabase(),
  mariadbDatabase(),
  libsqlDatabase(),
]
