// The database DATABASE_DSN names, opened for the Node gateway: the Store, coordination on the
// same database, and close. A SQLite file gets a second connection for the background writes;
// the pools of PostgreSQL and MySQL / MariaDB, and remote libSQL's HTTP client, serve both.
import { resolve } from 'node:path'
import { createSqlCoordination } from '../../src/coord/sql'
import type { Coordination } from '../../src/coord/types'
import { mysqlDialect } from '../../src/store/dialect-mysql'
import { pgDialect } from '../../src/store/dialect-pg'
import type { RepairReport } from '../../src/store/sql-repair'
import type { Store } from '../../src/store/types'
import { withBackgroundWrites } from './background-db'
import { openSqlite } from './db'
import { openLibsqlRemote } from './db-libsql'
import { openMysql } from './db-mysql'
import { openPostgres } from './db-pg'
import { describeTarget, parseDsn, type DbTarget } from './dsn'
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

type Raw = Record<string, string | undefined>

const targetOf = (dsn: string, raw: Raw): DbTarget =>
  parseDsn(dsn, { LIBSQL_AUTH_TOKEN: raw.LIBSQL_AUTH_TOKEN })

/** The SQLite file DATABASE_DSN names, resolved; null for `:memory:` and server databases. */
export const sqliteFile = (dsn: string, raw: Raw): string | null => {
  const target = targetOf(dsn, raw)
  return target.kind === 'sqlite' && target.path !== ':memory:' ? resolve(dsn) : null
}

export const openDatabase = async (
  dsn: string,
  raw: Raw,
  gate: GateOptions = { mayMigrate: true },
): Promise<NodeDatabase> => {
  const target = targetOf(dsn, raw)
  if (target.kind === 'postgres') {
    const pg = await openPostgres(target.url, { gate })
    const coord = createSqlCoordination(pg.sqlDb, Date.now, pgDialect)
    return { name: describeTarget(target), store: pg.store, coord, repairs: null, close: pg.close }
  }
  if (target.kind === 'mysql') {
    const my = await openMysql(target, gate)
    const coord = createSqlCoordination(my.sqlDb, Date.now, mysqlDialect)
    return { name: describeTarget(target), store: my.store, coord, repairs: null, close: my.close }
  }
  if (target.kind === 'libsql') {
    const remote = await openLibsqlRemote(target, gate)
    const coord = createSqlCoordination(remote.db)
    return { name: describeTarget(target), ...remote, coord }
  }
  const db = await openSqlite(dsn, gate)
  const background = await withBackgroundWrites(dsn, db.store, db.db)
  return {
    name: describeTarget(target),
    store: background.store,
    coord: createSqlCoordination(background.db),
    repairs: db.repairs,
    close: async () => {
      await background.close()
      await db.close()
    },
  }
}
