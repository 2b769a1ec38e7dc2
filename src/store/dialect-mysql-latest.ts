// MySQL's latestPerKey (the log export's read): each key's row of latest `latest`, without
// SQLite's bare columns beside max(). ONLY_FULL_GROUP_BY (MySQL 8's default) forbids those.
import { and, asc, eq, sql, type Column } from 'drizzle-orm'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'
import type { LatestPerKey } from './dialect'
import type { SqlDb } from './sql-util'

/**
 * One page of keys with their latest time, grouped along the key's index (which also serves the
 * `key > after` seek in `where`), joined back to their rows. Rows that tie on the latest time
 * come back once: the first wins, as SQLite's bare columns pick one.
 */
export const latestPerKeyMysql = async <F extends Record<string, Column>>(
  db: SqlDb,
  { fields, key, latest, where, limit }: LatestPerKey<F>,
): Promise<Record<keyof F, unknown>[]> => {
  // The Dialect speaks of drizzle's base Column; the builders want their own (typed as SQLite's).
  const k = key as unknown as SQLiteColumn
  const page = db
    .select({ key: k, at: sql`max(${latest})`.as('latest_at') })
    .from(k.table)
    .where(where)
    .groupBy(k)
    .orderBy(asc(k))
    .limit(limit)
    .as('page')
  const rows = await db
    .select({ ...(fields as unknown as Record<string, SQLiteColumn>), __key: k })
    .from(k.table)
    .innerJoin(page, and(eq(k, page.key), eq(latest as unknown as SQLiteColumn, page.at)))
    .where(where)
    .orderBy(asc(k))
  const seen = new Set<unknown>()
  const out: Record<keyof F, unknown>[] = []
  for (const { __key, ...r } of rows) {
    if (seen.has(__key)) continue
    seen.add(__key)
    out.push(r as Record<keyof F, unknown>)
  }
  return out
}
