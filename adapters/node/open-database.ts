// The database DATABASE_DSN names, opened with a runtime's drivers: the Store, coordination on
// the same database, and close. Node and the Bun binary differ only in their SQLite driver (libsql,
// bun:sqlite), remote libSQL (Node only) and where the migrations come from (folder, embedded).
// A SQLite file gets a second connection for the background writes; the pools of PostgreSQL and
// MySQL / MariaDB, and remote libSQL's HTTP client, serve both.
import { resolve } from 'node:path'
import { ConfigError } from '../../src/config/env'
import { createSqlCoordination } from '../../src/coord/sql'
import type { Coordination } from '../../src/coord/types'
import type { SqlDb } from '../../src/store/sql'
import type { RepairReport } from '../../src/store/sql-repair'
import type { Store } from '../../src/store/types'
import { withBackgroundWrites, type OpenSecondConnection } from './background-db'
import type { openMysql } from './db-mysql'
import type { openPostgres } from './db-pg'
import { describeTarget, parseDsn, type DbTarget } from './dsn'
import type { MigrationMeta } from './migrations'
import type { GateOptions } from './schema-gate'

export interface NodeDatabase {
  /** The database for messages, without its password. */
  name: string
  store: Store
  coord: Coordination
  /** What SQLite's pending data repairs did at this open; null on other databases. */
  repairs: RepairReport | null
  close(): Promise<void>
}

/** An opened SQLite database (file, `:memory:` or remote libSQL), migrated and repaired. */
export interface SqliteOpened {
  db: SqlDb
  store: Store
  close: () => Promise<void>
  repairs: RepairReport
}

export interface DatabaseDrivers {
  sqlite: {
    /** Opens (and creates) the file or `:memory:`, tuned, through the schema gate. */
    open(path: string, gate: GateOptions): Promise<SqliteOpened>
    second: OpenSecondConnection
  }
  /**
   * PostgreSQL and MySQL / MariaDB (db-pg.ts, db-mysql.ts). Node loads their drivers on first
   * use: pg and mysql2 cost a SQLite node ~110 ms of start-up. Bun's bundler needs them static.
   */
  postgres: () => Promise<typeof openPostgres>
  mysql: () => Promise<typeof openMysql>
  /** Remote libSQL; null where its client cannot run. */
  libsql: ((target: LibsqlTarget, gate: GateOptions) => Promise<SqliteOpened>) | null
  /** The server databases' migrations; absent: read from the repo's folders. */
  migrations?: (dialect: 'pg' | 'mysql') => MigrationMeta[]
}

export type OpenDatabase = (dsn: string, raw: Raw, gate?: GateOptions) => Promise<NodeDatabase>

type Raw = Record<string, string | undefined>
type LibsqlTarget = Extract<DbTarget, { kind: 'libsql' }>

const targetOf = (dsn: string, raw: Raw): DbTarget =>
  parseDsn(dsn, { LIBSQL_AUTH_TOKEN: raw.LIBSQL_AUTH_TOKEN })

/** The SQLite file DATABASE_DSN names, resolved; null for `:memory:` and server databases. */
export const sqliteFile = (dsn: string, raw: Raw): string | null => {
  const target = targetOf(dsn, raw)
  return target.kind === 'sqlite' && target.path !== ':memory:' ? resolve(dsn) : null
}

export const createDatabaseOpener =
  (drivers: DatabaseDrivers): OpenDatabase =>
  async (dsn, raw, gate = { mayMigrate: true }) => {
    const target = targetOf(dsn, raw)
    const name = describeTarget(target)
    if (target.kind === 'postgres') {
      const migrations = drivers.migrations?.('pg')
      const openPostgres = await drivers.postgres()
      const pg = await openPostgres(target.url, { gate, migrations })
      return { name, store: pg.store, coord: pg.coord, repairs: null, close: pg.close }
    }
    if (target.kind === 'mysql') {
      const openMysql = await drivers.mysql()
      const my = await openMysql(target, gate, drivers.migrations?.('mysql'))
      return { name, store: my.store, coord: my.coord, repairs: null, close: my.close }
    }
    if (target.kind === 'libsql') {
      if (!drivers.libsql) {
        throw new ConfigError(
          `DATABASE_DSN: remote libSQL (${name}) is not supported by this build; use npm start`,
        )
      }
      const remote = await drivers.libsql(target, gate)
      const coord = createSqlCoordination(remote.db)
      return { name, store: remote.store, coord, repairs: remote.repairs, close: remote.close }
    }
    const db = await drivers.sqlite.open(dsn, gate)
    const background = await withBackgroundWrites(dsn, db.store, db.db, drivers.sqlite.second)
    return {
      name,
      store: background.store,
      coord: createSqlCoordination(background.db),
      repairs: db.repairs,
      close: async () => {
        await background.close()
        await db.close()
      },
    }
  }
