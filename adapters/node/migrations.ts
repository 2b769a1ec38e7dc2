// The migrations of one dialect as drizzle's own list (MigrationMeta: statements, hash, journal
// time): read from the repo's migrations/ folder under Node, built from text compiled into the
// Bun binary there. Either list goes through drizzle's dialect migrator, so __drizzle_migrations
// holds the same hash and created_at whichever process migrated the database.
import { createHash } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { readMigrationFiles, type MigrationMeta } from 'drizzle-orm/migrator'

export type { MigrationMeta } from 'drizzle-orm/migrator'
export type MigrationDialect = 'sqlite' | 'pg' | 'mysql'

/** The repo's migrations/<dialect> folder (read lazily: the Bun binary has no such folder). */
export const migrationsFolder = (dialect: MigrationDialect) =>
  fileURLToPath(new URL(`../../migrations/${dialect}`, import.meta.url))

export const folderMigrations = (dialect: MigrationDialect): MigrationMeta[] =>
  readMigrationFiles({ migrationsFolder: migrationsFolder(dialect) })

/** drizzle's readMigrationFiles over texts instead of files: the journal and each tag's SQL. */
export const toMigrations = (journal: string, sqlByTag: Record<string, string>): MigrationMeta[] =>
  (
    JSON.parse(journal) as { entries: { tag: string; when: number; breakpoints: boolean }[] }
  ).entries.map((e) => {
    const query = sqlByTag[e.tag]
    if (query === undefined) throw new Error(`migration ${e.tag} is missing`)
    return {
      sql: query.split('--> statement-breakpoint'),
      bps: e.breakpoints,
      folderMillis: e.when,
      hash: createHash('sha256').update(query).digest('hex'),
    }
  })

/** The journal times of a list, oldest first: what the schema gate compares. */
export const timesOf = (list: MigrationMeta[]) => list.map((m) => m.folderMillis)

interface Migratable {
  dialect: { migrate(list: MigrationMeta[], session: unknown, config: object): unknown }
  session: unknown
}

/**
 * Applies what is pending of `list` as drizzle's `migrate(db, { migrationsFolder })` would: that
 * function is exactly this call after reading the folder (node-postgres, mysql2, bun-sqlite).
 */
export const applyMigrations = async (db: object, list: MigrationMeta[]): Promise<void> => {
  const d = db as Migratable
  await d.dialect.migrate(list, d.session, {})
}
