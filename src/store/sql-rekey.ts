// Store methods for keys as stored, for migrate-keys and the encryption status: a scan over all
// groups, atomic rewrites that carry the request logs' hashes along (v1 left them behind, §8.1
// #13), and a cheap sample of how values are stored.
import { and, asc, eq, gt, inArray, like, notLike, sql, type SQL } from 'drizzle-orm'
import type { Dialect } from './dialect'
import { bucketOf } from './log-key-bucket'
import { chunk, MAX_PARAMS, runBatch, type SqlDb, type Stmt } from './sql-util'
import type { KeyRewrite, Store } from './types'

type RekeyMethods = Pick<Store, 'scanKeys' | 'rewriteKeys' | 'keyStorageSample'>

// Three parameters a key (two in the CASE, one in the IN list) and one for the bucket.
const KEYS_PER_REHASH = Math.floor((MAX_PARAMS - 1) / 3)

export const createSqlRekey = (db: SqlDb, dialect: Dialect): RekeyMethods => {
  const { apiKeys, requestLogs } = dialect.t
  const bucketCol = dialect.logKeyBucket?.(requestLogs.key_hash)

  /** The log index on key_hash makes each key's move a lookup, not a scan. */
  const rehashEach = (q: SqlDb, moved: KeyRewrite[]): Stmt[] =>
    moved.map((r) =>
      q
        .update(requestLogs)
        .set({ key_hash: r.key_hash })
        .where(eq(requestLogs.key_hash, r.old_hash)),
    )

  /**
   * Where the index is on buckets, one statement per bucket (and per MAX_PARAMS) moves all of its
   * keys: one pass over the bucket's index instead of one per key.
   */
  const rehashByBucket = (q: SqlDb, moved: KeyRewrite[], bucket: SQL): Stmt[] => {
    const byBucket = new Map<string, KeyRewrite[]>()
    for (const r of moved) {
      const b = bucketOf(r.old_hash)
      const list = byBucket.get(b)
      if (list) list.push(r)
      else byBucket.set(b, [r])
    }
    return [...byBucket].flatMap(([b, keys]) =>
      chunk(keys, KEYS_PER_REHASH).map((part) => {
        const to = sql.join(
          part.map((r) => sql`when ${r.old_hash} then ${r.key_hash}`),
          sql` `,
        )
        return q
          .update(requestLogs)
          .set({ key_hash: sql`case ${requestLogs.key_hash} ${to} end` })
          .where(
            and(
              eq(bucket, b),
              inArray(
                requestLogs.key_hash,
                part.map((r) => r.old_hash),
              ),
            ),
          )
      }),
    )
  }

  return {
    scanKeys: (afterId, limit) =>
      db
        .select({ id: apiKeys.id, key_value: apiKeys.key_value, key_hash: apiKeys.key_hash })
        .from(apiKeys)
        .where(gt(apiKeys.id, afterId))
        .orderBy(asc(apiKeys.id))
        .limit(limit),

    async rewriteKeys(rows) {
      const now = new Date()
      const moved = rows.filter((r) => r.old_hash !== r.key_hash)
      await runBatch(db, (q) => [
        ...rows.map((r) =>
          q
            .update(apiKeys)
            .set({ key_value: r.key_value, key_hash: r.key_hash, updated_at: now })
            .where(eq(apiKeys.id, r.id)),
        ),
        ...(bucketCol ? rehashByBucket(q, moved, bucketCol) : rehashEach(q, moved)),
      ])
    },

    async keyStorageSample(prefix) {
      const pattern = `${prefix.replace(/[%_]/g, '')}%`
      const [sealed] = await db
        .select({ v: apiKeys.key_value })
        .from(apiKeys)
        .where(like(apiKeys.key_value, pattern))
        .limit(1)
      const [plain] = await db
        .select({ id: apiKeys.id })
        .from(apiKeys)
        .where(notLike(apiKeys.key_value, pattern))
        .limit(1)
      return { sealed: sealed?.v ?? null, plain: plain !== undefined }
    },
  }
}
