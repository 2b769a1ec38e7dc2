// The databases a test can run the gateway on, each fresh per use: a SQLite file in the test's
// folder, and (once their stores exist) PostgreSQL and MariaDB databases created and dropped here.
import { join } from 'node:path'
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

/** The databases a cluster runs on in CI. */
export const clusterDatabases = (): TestDatabase[] => [sqliteDatabase(), postgresDatabase()]
