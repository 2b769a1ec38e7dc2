// The databases a test can run the gateway on, each fresh per use: a SQLite file in the test's
// folder, and (once their stores exist) PostgreSQL and MariaDB databases created and dropped here.
import { join } from 'node:path'

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

/** The databases a cluster runs on in CI. */
export const clusterDatabases = (): TestDatabase[] => [sqliteDatabase()]
