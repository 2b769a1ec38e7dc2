// The database DATABASE_DSN names, opened for the Node gateway: SQLite files through libsql,
// remote libSQL over HTTP, PostgreSQL and MySQL / MariaDB (open-database.ts). All but SQLite load
// their clients only when DATABASE_DSN names one.
import { openSqlite, openSqliteSecond } from './db'
import { createDatabaseOpener } from './open-database'

export { sqliteFile, type NodeDatabase, type OpenDatabase } from './open-database'

export const openDatabase = createDatabaseOpener({
  sqlite: { open: openSqlite, second: openSqliteSecond },
  libsql: async (target, gate) => (await import('./db-libsql')).openLibsqlRemote(target, gate),
  postgres: async () => (await import('./db-pg')).openPostgres,
  mysql: async () => (await import('./db-mysql')).openMysql,
})
