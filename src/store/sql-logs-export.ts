// The log export's read (reference §2.5 GET /api/logs/export): one row per distinct key hash,
// paged by key hash so the CSV can be streamed without holding every key in memory.
import { and, asc, eq, gt } from 'drizzle-orm'
import type { Dialect } from './dialect'
import { bucketOf } from './log-key-bucket'
import { logFilter } from './sql-logs'
import type { SqlDb } from './sql-util'
import type { LogFilter, Store } from './types'

type ExportMethods = Pick<Store, 'logKeys'>

type KeyRow = Awaited<ReturnType<Store['logKeys']>>[number]

export const createSqlLogExport = (db: SqlDb, dialect: Dialect): ExportMethods => {
  const { requestLogs } = dialect.t
  // The bucket of each row's key_hash, where the index is on buckets (SQLite).
  const bucketCol = dialect.logKeyBucket?.(requestLogs.key_hash)

  /** One page of keys past `afterHash` among the logs `where` selects, with their latest row. */
  const read = async (q: LogFilter, afterHash: string, limit: number, bucket?: string) =>
    (await dialect.latestPerKey(db, {
      fields: {
        key_hash: requestLogs.key_hash,
        key_masked: requestLogs.key_masked,
        group_name: requestLogs.group_name,
        status_code: requestLogs.status_code,
      },
      key: requestLogs.key_hash,
      latest: requestLogs.timestamp,
      where: and(
        logFilter(q, dialect),
        bucket === undefined || !bucketCol ? undefined : eq(bucketCol, bucket),
        gt(requestLogs.key_hash, afterHash),
      ),
      limit,
    })) as KeyRow[]

  /** The first bucket after `bucket` that holds any log row: one seek along the index. */
  const nextBucket = async (bucket: string): Promise<string | null> => {
    const b = bucketCol!
    const [row] = await db
      .select({ b })
      .from(requestLogs)
      .where(gt(b, bucket))
      .orderBy(asc(b))
      .limit(1)
    return row ? String(row.b) : null
  }

  return {
    /**
     * Where key_hash has an index of its own, it serves both the grouping and the `key_hash >
     * after` seek past the previous page. Where the index is on buckets (SQLite), a page is read
     * bucket by bucket, in order, each read grouping one bucket's rows.
     */
    async logKeys(q, afterHash, limit) {
      if (!bucketCol) return read(q, afterHash, limit)
      const out: KeyRow[] = []
      // '' is the bucket of the rows without a key, which the export leaves out.
      for (let bucket: string | null = bucketOf(afterHash); bucket !== null;) {
        if (bucket !== '') {
          out.push(...(await read(q, afterHash, limit - out.length, bucket)))
          if (out.length >= limit) break
        }
        bucket = await nextBucket(bucket)
      }
      return out
    },
  }
}
