// Store methods for keys as stored, for migrate-keys and the encryption status: a scan over all
// groups, atomic rewrites that carry the request logs' hashes along (v1 left them behind, §8.1
// #13), and a cheap sample of how values are stored.
import { asc, eq, gt, like, notLike } from 'drizzle-orm'
import type { Dialect } from './dialect'
import { runBatch, type SqlDb, type Stmt } from './sql-util'
import type { Store } from './types'

type RekeyMethods = Pick<Store, 'scanKeys' | 'rewriteKeys' | 'keyStorageSample'>

export const createSqlRekey = (db: SqlDb, dialect: Dialect): RekeyMethods => {
  const { apiKeys, requestLogs } = dialect.t
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
      await runBatch(db, (q) =>
        rows.flatMap((r) => {
          const stmts: Stmt[] = [
            q
              .update(apiKeys)
              .set({ key_value: r.key_value, key_hash: r.key_hash, updated_at: now })
              .where(eq(apiKeys.id, r.id)),
          ]
          // The log index on key_hash makes this a lookup, not a scan.
          if (r.old_hash !== r.key_hash) {
            stmts.push(
              q
                .update(requestLogs)
                .set({ key_hash: r.key_hash })
                .where(eq(requestLogs.key_hash, r.old_hash)),
            )
          }
          return stmts
        }),
      )
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
