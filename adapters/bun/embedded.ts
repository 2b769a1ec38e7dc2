// What `npm run build:bun` compiles into the binary (adapters/bun/build.mjs writes it): the
// version, each dialect's migrations as text, and the built admin console, file by file.
import { toMigrations, type MigrationDialect, type MigrationMeta } from '../node/migrations'

export interface Embedded {
  version: string
  /** Per dialect: meta/_journal.json, and each migration's SQL by its journal tag. */
  migrations: Record<MigrationDialect, { journal: string; sql: Record<string, string> }>
  /** admin/dist's files by their URL path (`/index.html`, `/assets/…`), base64; {} unbuilt. */
  console: Record<string, string>
}

export const embeddedMigrations = (e: Embedded) => {
  const cache = new Map<MigrationDialect, MigrationMeta[]>()
  return (dialect: MigrationDialect): MigrationMeta[] => {
    let list = cache.get(dialect)
    if (!list) {
      list = toMigrations(e.migrations[dialect].journal, e.migrations[dialect].sql)
      cache.set(dialect, list)
    }
    return list
  }
}
