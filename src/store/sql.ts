// createSqlStore: the Store over a drizzle database (libsql on Node, D1 on Workers, the synchronous
// SQLite drivers), speaking its dialect. It holds no connection of its own; whoever opened the
// database passes `close`.
import { sql } from 'drizzle-orm'
import type { Dialect } from './dialect'
import { sqliteDialect } from './dialect-sqlite'
import { createSqlGroups, createSqlSettings } from './sql-groups'
import { createSqlKeyEvents } from './sql-key-events'
import { createSqlKeyState } from './sql-key-state'
import { createSqlKeys } from './sql-keys'
import { createSqlLogs } from './sql-logs'
import { createSqlLogExport } from './sql-logs-export'
import { createSqlRekey } from './sql-rekey'
import { createSqlSubGroups } from './sql-subgroups'
import { createSqlTasks } from './sql-tasks'
import type { SqlDb } from './sql-util'
import type { Store } from './types'

export type { SqlDb } from './sql-util'

export interface SqlStoreOptions {
  close?: () => Promise<void>
  /** What differs between databases; SQLite's by default. */
  dialect?: Dialect
}

export const createSqlStore = (db: SqlDb, opts: SqlStoreOptions = {}): Store => {
  const dialect = opts.dialect ?? sqliteDialect
  return {
    ...createSqlSettings(db, dialect),
    ...createSqlGroups(db, dialect),
    ...createSqlSubGroups(db, dialect),
    ...createSqlKeys(db, dialect),
    ...createSqlKeyState(db, dialect),
    ...createSqlKeyEvents(db, dialect),
    ...createSqlRekey(db, dialect),
    ...createSqlLogs(db, dialect),
    ...createSqlLogExport(db, dialect),
    ...createSqlTasks(db, dialect),
    // Reads a real table, so the probe takes a read transaction on the database (a bare `select 1`
    // may be answered without one).
    ping: async () => {
      await db
        .select({ one: sql`1` })
        .from(dialect.t.systemSettings)
        .limit(1)
    },
    close: opts.close ?? (async () => {}),
  }
}
