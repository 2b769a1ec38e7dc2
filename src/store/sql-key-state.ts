// Store methods that change keys' state by hand or from the pool: on/off, restores, notes, and the
// batched health writes. Every multi-statement write runs as one batch.
import { and, eq, inArray, ne, or } from 'drizzle-orm'
import type { Dialect } from './dialect'
import { inGroupOf, poolFieldsOf } from './sql-key-fields'
import { IDS_PER_STMT, idsOf, keyLocks, sortedIds } from './sql-keys'
import { chunk, evens, runBatches, type SqlDb } from './sql-util'
import type { KeyStatus, PoolKeyRow, Store } from './types'

type KeyStateMethods = Pick<
  Store,
  'setKeysEnabled' | 'restoreKeys' | 'setKeyNotes' | 'updateKeyHealth'
>

export const createSqlKeyState = (db: SqlDb, dialect: Dialect): KeyStateMethods => {
  const { apiKeys } = dialect.t
  const inGroup = inGroupOf(apiKeys)
  const poolFields = poolFieldsOf(apiKeys)
  // A disabled key stays as it is: restore actions never touch it.
  const isEnabled = eq(apiKeys.enabled, true)
  return {
    // Each write that answers with the rows it changed is a select and the write with the same
    // condition, in one batch: no RETURNING, which MySQL lacks. Pairs never straddle two batches
    // (MAX_BATCH is even), so each pair is atomic.
    async setKeysEnabled(groupId, ids, enabled) {
      // Enabling puts the key back into rotation as active; the failure count stays as stored.
      const set = enabled
        ? { enabled, status: 'active' as const, updated_at: new Date() }
        : { enabled, updated_at: new Date() }
      const parts = chunk(sortedIds(ids), IDS_PER_STMT).map((part) =>
        and(inGroup(groupId), inArray(apiKeys.id, part), ne(apiKeys.enabled, enabled)),
      )
      let locks = 0
      const results = await runBatches(db, (q) => {
        const locked = keyLocks(dialect, q, parts)
        locks = locked.length
        return [
          ...locked,
          ...parts.flatMap((where) => [
            q.select(poolFields).from(apiKeys).where(where),
            q.update(apiKeys).set(set).where(where),
          ]),
        ]
      })
      // The rows as read before the write, brought to what it wrote.
      return evens(results.slice(locks)).flatMap((rows) =>
        (rows as PoolKeyRow[]).map((r) => ({
          ...r,
          enabled,
          status: enabled ? 'active' : r.status,
        })),
      )
    },

    async restoreKeys(groupId, ids) {
      const set = { status: 'active' as const, failure_count: 0, updated_at: new Date() }
      // Only rows that actually change are touched, so the returned ids are exactly the changed ones.
      const needsRestore = or(ne(apiKeys.status, 'active'), ne(apiKeys.failure_count, 0))
      const parts =
        ids === 'all-invalid'
          ? [and(inGroup(groupId, 'invalid'), isEnabled)]
          : chunk(sortedIds(ids), IDS_PER_STMT).map((part) =>
              and(inGroup(groupId), inArray(apiKeys.id, part), needsRestore, isEnabled),
            )
      let locks = 0
      const results = await runBatches(db, (q) => {
        const locked = keyLocks(dialect, q, parts)
        locks = locked.length
        return [
          ...locked,
          ...parts.flatMap((where) => [
            q.select({ id: apiKeys.id }).from(apiKeys).where(where),
            q.update(apiKeys).set(set).where(where),
          ]),
        ]
      })
      return evens(results.slice(locks)).flatMap(idsOf)
    },

    async setKeyNotes(id, notes) {
      const result = await db
        .update(apiKeys)
        .set({ notes, updated_at: new Date() })
        .where(eq(apiKeys.id, id))
      return dialect.changes(result) > 0
    },

    async updateKeyHealth(updates) {
      // Reports come in bursts with few distinct (status, failure_count) pairs: one UPDATE per pair.
      // The last report of a key wins.
      const latest = new Map(updates.map((u) => [u.id, u]))
      const byHealth = new Map<
        string,
        { status: KeyStatus; failure_count: number; ids: number[] }
      >()
      for (const u of latest.values()) {
        const k = `${u.status}:${u.failure_count}`
        const entry = byHealth.get(k) ?? {
          status: u.status,
          failure_count: u.failure_count,
          ids: [],
        }
        entry.ids.push(u.id)
        byHealth.set(k, entry)
      }
      const now = new Date()
      const locks = chunk(sortedIds([...latest.keys()]), IDS_PER_STMT).map((part) =>
        inArray(apiKeys.id, part),
      )
      await runBatches(db, (q) => [
        ...keyLocks(dialect, q, locks),
        ...[...byHealth.values()].flatMap(({ status, failure_count, ids }) =>
          chunk(ids, IDS_PER_STMT).map((part) =>
            q
              .update(apiKeys)
              .set({ status, failure_count, updated_at: now })
              .where(inArray(apiKeys.id, part)),
          ),
        ),
      ])
    },
  }
}
