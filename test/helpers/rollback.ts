// Puts a SQLite database back to before a migration, so the next open applies it and every later
// one again: their journal rows go, and so does what each of them made (the undo list below).
import { readFileSync } from 'node:fs'

/** The SQL that undoes each migration from 0007 on; a new migration adds its undo here. */
const UNDO: Record<string, string[]> = {
  '0007_': [],
  '0008_': ['DROP TABLE IF EXISTS pending_repairs'],
  '0009_': [
    'DROP TABLE IF EXISTS coord_leases',
    'DROP TABLE IF EXISTS coord_versions',
    'ALTER TABLE task_state ADD COLUMN lease_until integer DEFAULT 0 NOT NULL',
  ],
  '0010_': [
    'ALTER TABLE group_sub_groups DROP COLUMN priority',
    'ALTER TABLE groups DROP COLUMN failover_rules',
  ],
  '0011_': ['DROP TABLE IF EXISTS task_input', 'ALTER TABLE task_state DROP COLUMN job'],
  '0012_': [
    'DROP INDEX IF EXISTS idx_request_logs_key_bucket',
    'CREATE INDEX idx_request_logs_key_hash ON request_logs (key_hash)',
  ],
}

const journal = () =>
  (
    JSON.parse(
      readFileSync(new URL('../../migrations/sqlite/meta/_journal.json', import.meta.url), 'utf8'),
    ) as { entries: { tag: string; when: number }[] }
  ).entries

/** Statements that roll back to before the migration whose tag starts with `prefix`. */
export const rollbackTo = (prefix: string): string[] => {
  const entries = journal()
  const from = entries.findIndex((e) => e.tag.startsWith(prefix))
  const undone = entries.slice(from).reverse()
  return [
    ...undone.flatMap((e) => {
      const undo = UNDO[e.tag.slice(0, 5)]
      if (!undo)
        throw new Error(`no undo for migration ${e.tag}: add it to test/helpers/rollback.ts`)
      return undo
    }),
    `DELETE FROM __drizzle_migrations WHERE created_at >= ${entries[from].when}`,
  ]
}
