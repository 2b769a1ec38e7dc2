// createSqlStore: the Store over any async drizzle SQLite database (libsql on Node, D1 on Workers).
// It holds no connection of its own; whoever opened the database passes `close`.
import { sql } from 'drizzle-orm'
import { systemSettings } from './schema.sqlite'
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
}

export const createSqlStore = (db: SqlDb, opts: SqlStoreOptions = {}): Store => ({
  ...createSqlSettings(db),
  ...createSqlGroups(db),
  ...createSqlSubGroups(db),
  ...createSqlKeys(db),
  ...createSqlKeyState(db),
  ...createSqlKeyEvents(db),
  ...createSqlRekey(db),
  ...createSqlLogs(db),
  ...createSqlLogExport(db),
  ...createSqlTasks(db),
  // Reads a real table, so the probe takes a read transaction on the database (a bare `select 1`
  // may be answered without one).
  ping: async () => {
    await db
      .select({ one: sql`1` })
      .from(systemSettings)
      .limit(1)
  },
  close: opts.close ?? (async () => {}),
})
