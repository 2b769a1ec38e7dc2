// Per-key usage (request_count, last_used_at) as SQL statements: the key rows locked where the
// dialect locks, then updated from one JSON parameter per chunk of keys. Bound as VALUES, four
// parameters per key under D1's 100 per statement, 100,000 keys took ~4,000 statements and ~5 s
// of the event loop on SQLite.
import { sql } from 'drizzle-orm'
import type { Dialect } from './dialect'
import { keyLocks } from './sql-keys'
import { chunk, type SqlDb, type Stmt } from './sql-util'
import type { KeyUsage } from './types'

// ~100 characters of JSON per key: ~0.5 MB per statement, below D1's 2 MB value limit.
const KEYS_PER_UPDATE = 5_000
// A lock statement per this many keys, ordered by key: below MySQL's default 16 MB packet. A write
// of more keys can deadlock with another such write; the database then fails one, which is retried.
const KEYS_PER_LOCK = 20_000

/** The usage rows as a FROM source and their cells, typed by the api_keys columns they meet. */
const usageRows = (dialect: Dialect, part: KeyUsage[]) => {
  const { apiKeys } = dialect.t
  const rows = dialect.jsonRows(
    JSON.stringify(part.map((k) => [k.group_id, k.key_hash, k.n, k.last])),
  )
  return {
    from: rows.from,
    groupId: rows.cell(0, apiKeys.group_id),
    keyHash: rows.cell(1, apiKeys.key_hash),
    n: rows.cell(2, apiKeys.request_count),
    last: rows.cell(3, apiKeys.last_used_at),
  }
}

const lockUsage = (dialect: Dialect, part: KeyUsage[]) => {
  const { apiKeys } = dialect.t
  const u = usageRows(dialect, part)
  return sql`(${apiKeys.group_id}, ${apiKeys.key_hash}) in (select ${u.groupId}, ${u.keyHash} from ${u.from})`
}

const updateUsage = (q: SqlDb, dialect: Dialect, part: KeyUsage[]) => {
  const { apiKeys } = dialect.t
  const u = usageRows(dialect, part)
  const update = q.update(apiKeys).set({
    request_count: sql`${apiKeys.request_count} + ${u.n}`,
    last_used_at: dialect.greatest(apiKeys.last_used_at, u.last),
  })
  const from = dialect.updateFrom ? dialect.updateFrom(update, u.from) : update.from(u.from)
  return from.where(sql`${apiKeys.group_id} = ${u.groupId} and ${apiKeys.key_hash} = ${u.keyHash}`)
}

/** Adds each key's uses and moves its last use forward, never back. */
export const usageStmts = (q: SqlDb, dialect: Dialect, usage: KeyUsage[]): Stmt[] => {
  if (!usage.length) return []
  const sorted = [...usage].sort(
    (a, b) => a.group_id - b.group_id || (a.key_hash < b.key_hash ? -1 : 1),
  )
  const locks = dialect.lockKeys
    ? chunk(sorted, KEYS_PER_LOCK).map((part) => lockUsage(dialect, part))
    : []
  const stmts = keyLocks(dialect, q, locks)
  for (const part of chunk(sorted, KEYS_PER_UPDATE)) stmts.push(updateUsage(q, dialect, part))
  return stmts
}
