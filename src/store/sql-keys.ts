// Store methods for upstream keys over drizzle, on the Dialect's tables: paging, pool loading,
// bulk add with dedupe, lookups, deletes and counts. Every multi-statement write runs as one batch.
import {
  and,
  count,
  desc,
  eq,
  getTableColumns,
  inArray,
  sql,
  type Column,
  type SQL,
} from 'drizzle-orm'
import type { Dialect, JsonRows } from './dialect'
import {
  chunk,
  lit,
  MAX_PARAMS,
  packJsonRows,
  runBatch,
  runBatches,
  type SqlDb,
  type Stmt,
} from './sql-util'
import { createLoadKeys } from './sql-load-keys'
import { inGroupOf } from './sql-key-fields'
import type { Store } from './types'

type KeyMethods = Pick<
  Store,
  | 'listKeys'
  | 'getKey'
  | 'loadKeys'
  | 'addKeys'
  | 'findKeyIds'
  | 'deleteKeys'
  | 'clearKeys'
  | 'countKeys'
>

// Characters of key JSON per insert: one parameter, well under D1's statement limits.
const KEY_JSON_CHARS = 200_000
// Room for the few fixed parameters (group id, status, set values) next to an id or hash list.
export const IDS_PER_STMT = MAX_PARAMS - 10

/**
 * The select list of the bulk insert `INSERT … SELECT <this> FROM <json rows> WHERE true`: the
 * keys travel as one JSON parameter of `[value, hash]` pairs, so one statement carries a whole
 * slice under D1's 100-parameter limit and drizzle builds no per-row SQL (binding pairs, 50 per
 * statement, spent most of a 100k import's CPU in the builder). Typing it over every column makes
 * a new column a compile error here. (`WHERE true` resolves SQLite's parsing ambiguity between
 * INSERT … SELECT and ON CONFLICT.)
 */
const keyColumns = (dialect: Dialect, rows: JsonRows, groupId: number, now: Date): SQL => {
  const { apiKeys } = dialect.t
  // A time is bound through its column, which knows how the dialect stores it.
  const at = (column: Column) => sql`${sql.param(now, column)}`
  const exprs: Record<keyof typeof apiKeys.$inferSelect, SQL> = {
    id: dialect.generatedId(apiKeys.id),
    group_id: lit(groupId),
    key_value: rows.cell(0, apiKeys.key_value),
    key_hash: rows.cell(1, apiKeys.key_hash),
    status: sql`'active'`,
    notes: sql`''`,
    request_count: sql`0`,
    failure_count: sql`0`,
    enabled: dialect.bool(true),
    last_used_at: sql`null`,
    created_at: at(apiKeys.created_at),
    updated_at: at(apiKeys.updated_at),
  }
  // drizzle lists the insert columns in table order; the select list must follow it.
  const order = Object.keys(getTableColumns(apiKeys)) as (keyof typeof exprs)[]
  return sql.join(
    order.map((k) => exprs[k]),
    sql`, `,
  )
}

/** The dialect's locks on the keys each condition selects, to start a batch with (lockKeys). */
export const keyLocks = (dialect: Dialect, q: SqlDb, wheres: (SQL | undefined)[]): Stmt[] => {
  const lock = dialect.lockKeys
  return lock ? wheres.map((where) => lock(q, where)) : []
}

/** Ids ascending, each once: chunks of them then lock rows in one order across a batch. */
export const sortedIds = (ids: readonly number[]): number[] =>
  [...new Set(ids)].sort((a, b) => a - b)

export const idsOf = (rows: unknown): number[] => (rows as { id: number }[]).map((r) => r.id)

export const createSqlKeys = (db: SqlDb, dialect: Dialect): KeyMethods => {
  const { apiKeys } = dialect.t
  const inGroup = inGroupOf(apiKeys)
  return {
    async listKeys(q) {
      const where = and(
        inGroup(q.group_id, q.status),
        q.key_hash ? eq(apiKeys.key_hash, q.key_hash) : undefined,
      )
      const page = Math.max(1, Math.floor(q.page))
      const size = Math.max(1, Math.floor(q.page_size))
      const [items, [total]] = await Promise.all([
        db
          .select()
          .from(apiKeys)
          .where(where)
          // Never-used keys last, whichever end a database sorts NULL to.
          .orderBy(dialect.descNullsLast(apiKeys.last_used_at), desc(apiKeys.id))
          .limit(size)
          .offset((page - 1) * size),
        db.select({ n: count() }).from(apiKeys).where(where),
      ])
      return { items, total: total?.n ?? 0 }
    },

    async getKey(id) {
      const [row] = await db.select().from(apiKeys).where(eq(apiKeys.id, id)).limit(1)
      return row ?? null
    },

    loadKeys: createLoadKeys(db, dialect),

    async addKeys(groupId, keys) {
      const seen = new Set<string>()
      const fresh = keys.filter((k) => !seen.has(k.key_hash) && seen.add(k.key_hash))
      if (fresh.length === 0) return []
      const now = new Date()
      // Per JSON part, one batch: the hashes the group has already, the insert that skips them,
      // and the rows read back; the new rows are those whose hash was not there before. (No
      // RETURNING, which MySQL lacks.)
      type Row = { id: number; key_value: string; key_hash: string }
      const added: Row[] = []
      for (const json of packJsonRows(fresh, (k) => [k.key_value, k.key_hash], KEY_JSON_CHARS)) {
        const rows = dialect.jsonRows(json)
        const hashes = sql`(select ${rows.cell(1, apiKeys.key_hash)} from ${rows.from})`
        const ours = and(eq(apiKeys.group_id, groupId), inArray(apiKeys.key_hash, hashes))
        const columns = keyColumns(dialect, rows, groupId, now)
        const [before, , after] = await runBatch(db, (q) => [
          q.select({ key_hash: apiKeys.key_hash }).from(apiKeys).where(ours),
          // The unique (group_id, key_hash) index drops the keys the group already has.
          dialect.insertIgnore(
            q.insert(apiKeys).select(sql`select ${columns} from ${rows.from} where true`),
            [apiKeys.group_id, apiKeys.key_hash],
          ),
          // No ORDER BY id: with it SQLite walks the group's whole group_id index instead of
          // looking each hash up (a 1,000-key slice into a 50,000-key group: 21.7 ms, 1.2 ms
          // without); the rows are sorted below.
          q
            .select({ id: apiKeys.id, key_value: apiKeys.key_value, key_hash: apiKeys.key_hash })
            .from(apiKeys)
            .where(ours),
        ])
        const had = new Set((before as Row[]).map((r) => r.key_hash))
        for (const r of after as Row[]) if (!had.has(r.key_hash)) added.push(r)
      }
      added.sort((a, b) => a.id - b.id)
      // Every inserted row is a fresh key: active, no failures, enabled.
      return added.map((r) => ({
        ...r,
        status: 'active' as const,
        failure_count: 0,
        enabled: true,
      }))
    },

    async findKeyIds(groupId, hashes, status) {
      const unique = [...new Set(hashes)]
      const results = await runBatches(db, (q) =>
        chunk(unique, IDS_PER_STMT).map((part) =>
          q
            .select({ id: apiKeys.id })
            .from(apiKeys)
            .where(and(inGroup(groupId, status), inArray(apiKeys.key_hash, part))),
        ),
      )
      return results.flatMap(idsOf)
    },

    async deleteKeys(groupId, ids) {
      const results = await runBatches(db, (q) =>
        chunk([...new Set(ids)], IDS_PER_STMT).map((part) =>
          q.delete(apiKeys).where(and(inGroup(groupId), inArray(apiKeys.id, part))),
        ),
      )
      return results.reduce<number>((n, r) => n + dialect.changes(r), 0)
    },

    async clearKeys(groupId, status) {
      // The ids, then the delete with the same condition, in one batch (no RETURNING: see
      // sql-key-state.ts).
      const where = inGroup(groupId, status)
      const [rows] = await runBatch(db, (q) => [
        q.select({ id: apiKeys.id }).from(apiKeys).where(where),
        q.delete(apiKeys).where(where),
      ])
      return idsOf(rows)
    },

    async countKeys(groupId) {
      // Per-state sums in one pass; a disabled key counts only as disabled.
      const countWhere = (cond: SQL) =>
        sql<number>`coalesce(sum(case when ${cond} then 1 else 0 end), 0)`.mapWith(Number)
      const on = dialect.bool(true)
      const [row] = await db
        .select({
          total: count(),
          active: countWhere(sql`${apiKeys.enabled} = ${on} and ${apiKeys.status} = 'active'`),
          invalid: countWhere(sql`${apiKeys.enabled} = ${on} and ${apiKeys.status} = 'invalid'`),
          disabled: countWhere(sql`${apiKeys.enabled} = ${dialect.bool(false)}`),
        })
        .from(apiKeys)
        .where(groupId === null ? undefined : eq(apiKeys.group_id, groupId))
      return row ?? { total: 0, active: 0, invalid: 0, disabled: 0 }
    },
  }
}
