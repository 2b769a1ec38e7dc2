// Store methods for key history (edgeload issue 3): batched inserts from the KeyService's
// off-path writer, and one key's events newest first.
import { count, desc, eq } from 'drizzle-orm'
import type { Dialect } from './dialect'
import { chunk, MAX_PARAMS, runBatches, type SqlDb } from './sql-util'
import type { Store } from './types'

type KeyEventMethods = Pick<Store, 'addKeyEvents' | 'listKeyEvents'>

// Seven bound columns per row, under D1's parameter limit.
const EVENTS_PER_INSERT = Math.floor(MAX_PARAMS / 7)

export const createSqlKeyEvents = (db: SqlDb, dialect: Dialect): KeyEventMethods => {
  const { keyEvents } = dialect.t
  return {
    async addKeyEvents(rows) {
      if (rows.length === 0) return
      await runBatches(db, (q) =>
        chunk(rows, EVENTS_PER_INSERT).map((part) => q.insert(keyEvents).values(part)),
      )
    },

    async listKeyEvents(keyId, page, pageSize) {
      const size = Math.max(1, Math.floor(pageSize))
      const where = eq(keyEvents.key_id, keyId)
      const [items, [total]] = await Promise.all([
        db
          .select()
          .from(keyEvents)
          .where(where)
          .orderBy(desc(keyEvents.id))
          .limit(size)
          .offset((Math.max(1, Math.floor(page)) - 1) * size),
        db.select({ n: count() }).from(keyEvents).where(where),
      ])
      return { items, total: total?.n ?? 0 }
    },
  }
}
