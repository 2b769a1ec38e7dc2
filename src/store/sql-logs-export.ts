// The log export's read (reference §2.5 GET /api/logs/export): one row per distinct key hash,
// paged by key hash so the CSV can be streamed without holding every key in memory.
import { and, asc, gt, sql } from 'drizzle-orm'
import { requestLogs } from './schema.sqlite'
import { logFilter } from './sql-logs'
import type { SqlDb } from './sql-util'
import type { Store } from './types'

type ExportMethods = Pick<Store, 'logKeys'>

export const createSqlLogExport = (db: SqlDb): ExportMethods => ({
  /**
   * GROUP BY key_hash walks idx_request_logs_key_hash in order, and `key_hash > after` seeks past
   * the previous page. The bare columns come from the row holding max(timestamp): SQLite
   * documents that for a lone max() aggregate (https://sqlite.org/lang_select.html#bareagg).
   */
  async logKeys(q, afterHash, limit) {
    const rows = await db
      .select({
        key_hash: requestLogs.key_hash,
        key_masked: requestLogs.key_masked,
        group_name: requestLogs.group_name,
        status_code: requestLogs.status_code,
        last: sql<number>`max(${requestLogs.timestamp})`,
      })
      .from(requestLogs)
      .where(and(logFilter(q), gt(requestLogs.key_hash, afterHash)))
      .groupBy(requestLogs.key_hash)
      .orderBy(asc(requestLogs.key_hash))
      .limit(limit)
    return rows.map(({ last: _last, ...r }) => r)
  },
})
