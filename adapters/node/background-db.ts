// A second SQLite connection for the writes nobody waits for: request logs and key health. It
// gives up on a locked file after a short busy timeout. libsql and bun:sqlite run statements
// synchronously, so on the main connection (5 s) a lock held by another process froze every
// request for 5 s per attempt; here an attempt costs at most BACKGROUND_BUSY_MS, and the writers
// retry with backoff.
import { createSqlStore, type SqlDb } from '../../src/store/sql'
import type { Store } from '../../src/store/types'

export const BACKGROUND_BUSY_MS = 250

/** Opens one more connection to a SQLite file, with the given busy timeout. */
export type OpenSecondConnection = (
  path: string,
  busyMs: number,
) => Promise<{ db: SqlDb; close: () => Promise<void> }>

export interface BackgroundWrites {
  /** `store` with its background writes on the second connection. */
  store: Store
  /**
   * The second connection (the main one for `:memory:`): coordination runs here too, so a lease
   * renewal against a file locked by another process costs at most BACKGROUND_BUSY_MS.
   */
  db: SqlDb
  close: () => Promise<void>
}

export const withBackgroundWrites = async (
  path: string,
  store: Store,
  main: SqlDb,
  openSecond: OpenSecondConnection,
): Promise<BackgroundWrites> => {
  // A second `:memory:` connection would be another database.
  if (path === ':memory:') return { store, db: main, close: async () => {} }
  const { db, close } = await openSecond(path, BACKGROUND_BUSY_MS)
  const bg = createSqlStore(db)
  return {
    db,
    store: {
      ...store,
      insertLogs: bg.insertLogs,
      addKeyUsage: bg.addKeyUsage,
      updateKeyHealth: bg.updateKeyHealth,
      addKeyEvents: bg.addKeyEvents,
    },
    close,
  }
}
