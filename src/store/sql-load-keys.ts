// Store.loadKeys: a group's keys in id order, as the pool takes them. Where the dialect can build
// JSON, a slice of keys comes back as one JSON value: the driver then makes one string instead of
// an object per row, and drizzle maps nothing. For 100,000 keys on SQLite, 1.8 s became 0.4 s of
// a node's start-up (libsql's row objects and drizzle's mapping, and their garbage).
import { and, gt } from 'drizzle-orm'
import type { Dialect } from './dialect'
import { inGroupOf, poolFieldsOf } from './sql-key-fields'
import type { SqlDb } from './sql-util'
import type { KeyStatus, PoolKeyRow } from './types'

// Keys per JSON value: ~1 MB at 1,000-character keys, under D1's 2 MB limit on a value.
const KEYS_PER_JSON = 1_000

type Cells = [number, string, string, KeyStatus, number, number | boolean]

export const createLoadKeys = (db: SqlDb, dialect: Dialect) => {
  const { apiKeys } = dialect.t
  const inGroup = inGroupOf(apiKeys)
  const poolFields = poolFieldsOf(apiKeys)
  const page = (groupId: number, afterId: number, limit: number, status?: KeyStatus) =>
    db
      .select(poolFields)
      .from(apiKeys)
      .where(and(inGroup(groupId, status), gt(apiKeys.id, afterId)))
      .orderBy(apiKeys.id)
      .limit(limit)

  const jsonPage = async (
    aggregate: NonNullable<Dialect['jsonArrayAgg']>,
    groupId: number,
    afterId: number,
    limit: number,
    status?: KeyStatus,
  ): Promise<PoolKeyRow[]> => {
    const k = page(groupId, afterId, limit, status).as('k')
    const cells = [k.id, k.key_value, k.key_hash, k.status, k.failure_count, k.enabled]
    const [row] = await db.select({ json: aggregate(cells) }).from(k)
    const value: unknown = row?.json ?? null
    const list = (typeof value === 'string' ? JSON.parse(value) : (value ?? [])) as Cells[]
    return list
      .map(([id, key_value, key_hash, status, failure_count, enabled]) => ({
        id: Number(id),
        key_value,
        key_hash,
        status,
        failure_count: Number(failure_count),
        // 1/0 from SQLite, true/false from PostgreSQL.
        enabled: Boolean(enabled),
      }))
      .sort((a, b) => a.id - b.id)
  }

  return async (
    groupId: number,
    afterId: number,
    limit: number,
    status?: KeyStatus,
  ): Promise<PoolKeyRow[]> => {
    const aggregate = dialect.jsonArrayAgg
    if (!aggregate) return page(groupId, afterId, limit, status)
    const out: PoolKeyRow[] = []
    let after = afterId
    while (out.length < limit) {
      const want = Math.min(KEYS_PER_JSON, limit - out.length)
      const part = await jsonPage(aggregate, groupId, after, want, status)
      out.push(...part)
      if (part.length < want) break
      after = part[part.length - 1]!.id
    }
    return out
  }
}
