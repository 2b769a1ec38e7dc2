// Store methods for request logs and hourly stats over drizzle, on the Dialect's tables. A log
// batch, its hourly roll-up and the per-key usage it implies are written in one batch (§4.7).
import {
  and,
  asc,
  count,
  desc,
  eq,
  getTableColumns,
  gte,
  lt,
  lte,
  sql,
  type Column,
  type SQL,
} from 'drizzle-orm'
import type { Dialect, Tables } from './dialect'
import { bucketOf } from './log-key-bucket'
import { chunk, MAX_PARAMS, packJsonRows, runBatch, type SqlDb, type Stmt } from './sql-util'
import { toKeyUsage } from './key-usage'
import { usageStmts } from './sql-usage'
import type { LogFilter, RequestLog, Store } from './types'

type LogMethods = Pick<
  Store,
  'insertLogs' | 'addKeyUsage' | 'queryLogs' | 'deleteLogsBefore' | 'hourlyStats' | 'countLogs'
>

const HOUR_MS = 3_600_000
/** The table's columns in its order, which INSERT … SELECT fills positionally. */
const logColumnsOf = (requestLogs: Tables['requestLogs']): LogColumn[] =>
  (Object.entries(getTableColumns(requestLogs)) as Array<[keyof RequestLog, Column]>).map(
    ([key, column]) => ({ key, column, fallback: defaultLiteral(column) }),
  )
// One JSON parameter per statement stays far below D1's 2 MB value limit.
const LOG_JSON_CHARS = 1_000_000
// time, group_id, success_count, failure_count, created_at, updated_at.
const STATS_PER_INSERT = Math.floor(MAX_PARAMS / 6)

interface HourBucket {
  time: Date
  group_id: number
  success_count: number
  failure_count: number
}

/** Final attempts per (hour, group), counted for the group and for its aggregate parent. */
const toHourBuckets = (rows: RequestLog[]): HourBucket[] => {
  // Keyed by numbers, hour index then group id: a `${time}:${group}` key made a string per row
  // (~230 against ~30 ns a row in a batch of 500).
  const byHour = new Map<number, Map<number, HourBucket>>()
  const add = (hour: number, group_id: number, ok: boolean) => {
    let groups = byHour.get(hour)
    if (!groups) byHour.set(hour, (groups = new Map()))
    let b = groups.get(group_id)
    if (!b) {
      b = { time: new Date(hour * HOUR_MS), group_id, success_count: 0, failure_count: 0 }
      groups.set(group_id, b)
    }
    if (ok) b.success_count++
    else b.failure_count++
  }
  for (const r of rows) {
    if (r.request_type !== 'final') continue
    const hour = Math.floor(r.timestamp.getTime() / HOUR_MS)
    add(hour, r.group_id, r.is_success)
    if (r.parent_group_id) add(hour, r.parent_group_id, r.is_success)
  }
  // In one order for every writer: concurrent batches then lock the stats rows alike.
  return [...byHour.values()]
    .flatMap((groups) => [...groups.values()])
    .sort((a, b) => a.time.getTime() - b.time.getTime() || a.group_id - b.group_id)
}

/** `keyHash = hash`, naming the hash's bucket too where the dialect indexes buckets. */
const keyHashIs = (dialect: Dialect, keyHash: Column, hash: string): SQL | undefined => {
  const bucket = dialect.logKeyBucket?.(keyHash)
  return bucket ? and(eq(bucket, bucketOf(hash)), eq(keyHash, hash)) : eq(keyHash, hash)
}

export const logFilter = (q: LogFilter, dialect: Dialect): SQL | undefined => {
  const contains = dialect.contains
  const { requestLogs } = dialect.t
  return and(
    q.parent_group_name ? contains(requestLogs.parent_group_name, q.parent_group_name) : undefined,
    q.group_name ? contains(requestLogs.group_name, q.group_name) : undefined,
    q.model ? contains(requestLogs.model, q.model) : undefined,
    q.error_contains ? contains(requestLogs.error_message, q.error_contains) : undefined,
    q.key_hash ? keyHashIs(dialect, requestLogs.key_hash, q.key_hash) : undefined,
    q.is_success !== undefined ? eq(requestLogs.is_success, q.is_success) : undefined,
    q.request_type ? eq(requestLogs.request_type, q.request_type) : undefined,
    q.status_code !== undefined ? eq(requestLogs.status_code, q.status_code) : undefined,
    q.source_ip ? eq(requestLogs.source_ip, q.source_ip) : undefined,
    q.start_time ? gte(requestLogs.timestamp, q.start_time) : undefined,
    q.end_time ? lte(requestLogs.timestamp, q.end_time) : undefined,
  )
}

const toCell = (v: RequestLog[keyof RequestLog]) =>
  v instanceof Date ? v.getTime() : typeof v === 'boolean' ? (v ? 1 : 0) : v

/** Rows as JSON arrays in column order, packed into parameters of at most LOG_JSON_CHARS. */
const toLogJson = (rows: RequestLog[], keys: Array<keyof RequestLog>): string[] =>
  packJsonRows(rows, (r) => keys.map((k) => toCell(r[k])), LOG_JSON_CHARS)

/** A column's default as an SQL literal that every dialect reads alike, when it is that simple. */
const defaultLiteral = (column: Column): { value: unknown; literal: SQL } | null => {
  const d: unknown = column.hasDefault ? column.default : undefined
  if (typeof d === 'string' && /^[a-z]*$/.test(d)) return { value: d, literal: sql.raw(`'${d}'`) }
  if (d === 0 || d === false) return { value: d, literal: sql.raw(String(d)) }
  return null
}

/**
 * Which columns a batch must carry in each row: a column that holds its default in every row (no
 * error, no parent group, no body) is written as a literal instead, and on SQLite one that holds
 * any other value in every row (the group, the model, the client, the status) as one parameter.
 * Unpacking a JSON cell costs each row about 0.45 µs on SQLite, a literal or a parameter nothing.
 */
const carriedColumns = (rows: RequestLog[], columns: LogColumn[], { sharedCell }: Dialect) =>
  columns.map(({ key, column, fallback: d }): keyof RequestLog | SQL => {
    if (d && rows.every((r) => r[key] === d.value)) return d.literal
    if (!sharedCell) return key
    const first = toCell(rows[0]![key])
    return rows.every((r) => toCell(r[key]) === first) ? sharedCell(first, column) : key
  })

/** A log column with its default literal, worked out once per store. */
interface LogColumn {
  key: keyof RequestLog
  column: Column
  fallback: ReturnType<typeof defaultLiteral>
}

/**
 * Log rows travel as one JSON parameter that the database unpacks (SQLite with json_each):
 * binding 20 values a row through the driver (and drizzle's builder) cost several times SQLite's
 * own insert, and D1 allows only 100 bound values per statement.
 */
const insertLogRows = (
  q: SqlDb,
  dialect: Dialect,
  columns: LogColumn[],
  carried: Array<keyof RequestLog | SQL>,
  json: string,
) => {
  const rows = dialect.jsonRows(json)
  let i = 0
  const cells = sql.join(
    columns.map(({ column }, c) => {
      const how = carried[c]!
      return typeof how === 'string' ? rows.cell(i++, column) : how
    }),
    sql`, `,
  )
  // `where true`: SQLite otherwise reads ON CONFLICT as part of the SELECT's join.
  return dialect.insertIgnore(
    q.insert(dialect.t.requestLogs).select(sql`select ${cells} from ${rows.from} where true`),
  )
}

/** Which of these log ids are stored already: one indexed lookup per id, in one statement. */
const storedLogIds = async (db: SqlDb, dialect: Dialect, ids: string[]): Promise<Set<string>> => {
  const { requestLogs } = dialect.t
  const list = dialect.jsonRows(JSON.stringify(ids.map((id) => [id])))
  const rows = await db
    .select({ id: requestLogs.id })
    .from(requestLogs)
    .where(sql`${requestLogs.id} in (select ${list.cell(0, requestLogs.id)} from ${list.from})`)
  return new Set(rows.map((r) => r.id))
}

export const createSqlLogs = (db: SqlDb, dialect: Dialect): LogMethods => {
  const { groupHourlyStats, requestLogs } = dialect.t
  const logColumns = logColumnsOf(requestLogs)
  return {
    /**
     * Idempotent by row id, counters included, so a batch whose write landed but whose
     * acknowledgement was lost can be retried: rows already stored are dropped before the stats
     * are counted. The read cannot race another writer of the same rows: a node writes only its
     * own buffer, one batch at a time (src/logs/writer.ts).
     */
    async insertLogs(batch, opts) {
      if (batch.length === 0) return
      const stored = opts?.fresh
        ? new Set<string>()
        : await storedLogIds(
            db,
            dialect,
            batch.map((r) => r.id),
          )
      const rows = stored.size === 0 ? batch : batch.filter((r) => !stored.has(r.id))
      if (rows.length === 0) return
      const buckets = toHourBuckets(rows)
      const usage = opts?.usage === false ? [] : toKeyUsage(rows)
      const now = new Date()
      await runBatch(db, (q) => {
        const carried = carriedColumns(rows, logColumns, dialect)
        const keys = carried.filter((k): k is keyof RequestLog => typeof k === 'string')
        const stmts: Stmt[] = toLogJson(rows, keys).map((json) =>
          insertLogRows(q, dialect, logColumns, carried, json),
        )
        const { success_count, failure_count, updated_at } = groupHourlyStats
        for (const part of chunk(buckets, STATS_PER_INSERT)) {
          const values = part.map((b) => ({ ...b, created_at: now, updated_at: now }))
          stmts.push(
            dialect.upsert(q.insert(groupHourlyStats).values(values), {
              target: [groupHourlyStats.time, groupHourlyStats.group_id],
              set: {
                success_count: sql`${success_count} + ${dialect.proposed(success_count)}`,
                failure_count: sql`${failure_count} + ${dialect.proposed(failure_count)}`,
                updated_at: dialect.proposed(updated_at),
              },
            }),
          )
        }
        stmts.push(...usageStmts(q, dialect, usage))
        return stmts
      })
    },

    async addKeyUsage(usage) {
      if (usage.length) await runBatch(db, (q) => usageStmts(q, dialect, usage))
    },

    async queryLogs(q) {
      const where = logFilter(q, dialect)
      const page = Math.max(1, Math.floor(q.page))
      const size = Math.max(1, Math.floor(q.page_size))
      const [items, [total]] = await Promise.all([
        db
          .select()
          .from(requestLogs)
          .where(where)
          .orderBy(desc(requestLogs.timestamp), desc(requestLogs.id))
          .limit(size)
          .offset((page - 1) * size),
        db.select({ n: count() }).from(requestLogs).where(where),
      ])
      return { items, total: total?.n ?? 0 }
    },

    async deleteLogsBefore(t) {
      return dialect.changes(await db.delete(requestLogs).where(lt(requestLogs.timestamp, t)))
    },

    /** Rows with `from <= time < to` (the dashboard's half-open windows, reference §4.8). */
    hourlyStats: (from, to, groupId) =>
      db
        .select({
          time: groupHourlyStats.time,
          group_id: groupHourlyStats.group_id,
          success_count: groupHourlyStats.success_count,
          failure_count: groupHourlyStats.failure_count,
        })
        .from(groupHourlyStats)
        .where(
          and(
            gte(groupHourlyStats.time, from),
            lt(groupHourlyStats.time, to),
            groupId === undefined ? undefined : eq(groupHourlyStats.group_id, groupId),
          ),
        )
        .orderBy(asc(groupHourlyStats.time), asc(groupHourlyStats.group_id)),

    /** A range count on idx_request_logs_timestamp; request_type is checked on those rows only. */
    async countLogs({ from, to, request_type }) {
      const [row] = await db
        .select({ n: count() })
        .from(requestLogs)
        .where(
          and(
            gte(requestLogs.timestamp, from),
            lt(requestLogs.timestamp, to),
            request_type ? eq(requestLogs.request_type, request_type) : undefined,
          ),
        )
      return row?.n ?? 0
    },
  }
}
