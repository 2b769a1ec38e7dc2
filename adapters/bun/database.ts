// The database DATABASE_DSN names, opened for the Bun binary: SQLite files through bun:sqlite,
// PostgreSQL and MySQL / MariaDB through Node's drivers (pg, mysql2, which run under Bun), each
// with the migrations compiled in. Remote libSQL is refused: its client cannot be compiled in.
import { openMysql } from '../node/db-mysql'
import { openPostgres } from '../node/db-pg'
import { createDatabaseOpener, type OpenDatabase } from '../node/open-database'
import { openBunSqlite, openBunSqliteSecond } from './db-sqlite'
import { embeddedMigrations, type Embedded } from './embedded'

export const bunDatabaseOpener = (embedded: Embedded): OpenDatabase => {
  const migrations = embeddedMigrations(embedded)
  return createDatabaseOpener({
    sqlite: {
      open: (path, gate) => openBunSqlite(path, gate, migrations('sqlite')),
      second: openBunSqliteSecond,
    },
    libsql: null,
    // Static: Bun's bundler (1.4.5) breaks drizzle's mysql-core when these load lazily.
    postgres: async () => openPostgres,
    mysql: async () => openMysql,
    migrations,
  })
}
