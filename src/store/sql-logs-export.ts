// The log export's read (reference §2.5 GET /api/logs/export): one row per distinct key hash,
// paged by key hash so the CSV can be streamed without holding every key in memory.
import { and, gt } from 'drizzle-orm'
import type { Dialect } from './dialect'
import { logFilter } from './sql-logs'
import type { SqlDb } from './sql-util'
import type { Store } from './types'

type ExportMethods = Pick<Store, 'logKeys'>

type KeyRow = Awaited<ReturnType<Store['logKeys']>>[number]

export const createSqlLogExport = (db: SqlDb, dialect: Dialect): ExportMethods => ({
  /**
   * Keyed on key_hash, whose index serves both the grouping and the `key_hash > after` seek past
   * the previous page; the other columns come from each key's latest row.
   */
  async logKeys(q, afterHash, limit) {
    const { requestLogs } = dialect.t
    const rows = await dialect.latestPerKey(db, {
      fields: {
        key_hash: requestLogs.key_hash,
        key_masked: requestLogs.key_masked,
        group_name: requestLogs.group_name,
        status_code: requestLogs.status_code,
      },
      key: requestLogs.key_hash,
      latest: requestLogs.timestamp,
      where: and(logFilter(q, dialect), gt(requestLogs.key_hash, afterHash)),
      limit,
    })
    return rows as KeyRow[]
  },
})
