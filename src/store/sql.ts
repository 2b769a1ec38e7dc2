// createSqlStore: the Store over any async drizzle SQLite database (libsql on Node, D1 on Workers).
// It holds no connection of its own; whoever opened the database passes `close`.
import { createSqlGroups, createSqlSettings } from './sql-groups'
import { createSqlKeyEvents } from './sql-key-events'
import { createSqlKeys } from './sql-keys'
import { createSqlLogs } from './sql-logs'
import { createSqlLogExport } from './sql-logs-export'
import { createSqlSubGroups } from './sql-subgroups'
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
  ...createSqlKeyEvents(db),
  ...createSqlLogs(db),
  ...createSqlLogExport(db),
  close: opts.close ?? (async () => {}),
})
