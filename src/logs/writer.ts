// The request-log writer: rows are buffered in memory and written in batches off the hot path
// (`request_log_write_interval_minutes`; 0 writes each row at once, still without blocking).
import type { Deps } from '../deps'
import type { RequestLog } from '../store/types'

/** A row as the proxy hands it over: the key's hash is computed at write time, off the hot path. */
export type PendingLog = RequestLog & { key?: string }

export interface LogWriter {
  push(row: PendingLog): void
  /** Writes everything buffered; resolves when it is stored. */
  flush(): Promise<void>
  pending(): number
}

const MAX_BATCH = 500

export const createLogWriter = (
  deps: Deps,
  intervalMinutes: () => number,
  hashKey: (key: string) => Promise<string>,
): LogWriter => {
  let buffer: PendingLog[] = []
  const hashes = new Map<string, string>()

  const withHashes = async (rows: PendingLog[]): Promise<RequestLog[]> => {
    for (const r of rows) {
      if (r.key === undefined) continue
      let h = hashes.get(r.key)
      if (!h) {
        h = await hashKey(r.key)
        if (hashes.size > 10_000) hashes.clear()
        hashes.set(r.key, h)
      }
      r.key_hash = h
      delete r.key
    }
    return rows
  }
  let writing: Promise<void> = Promise.resolve()

  const writeBatch = async (rows: PendingLog[]) => {
    await withHashes(rows)
    for (let i = 0; i < rows.length; i += MAX_BATCH) {
      const batch = rows.slice(i, i + MAX_BATCH)
      try {
        await deps.store.insertLogs(batch)
        // Local SQLite writes synchronously: let requests through between batches.
        if (i + MAX_BATCH < rows.length) await new Promise((r) => setTimeout(r, 0))
      } catch (err) {
        // Keep the rows for the next flush rather than losing them.
        buffer = batch.concat(rows.slice(i + MAX_BATCH), buffer)
        deps.log('error', 'request log write failed; will retry', { error: String(err) })
        return
      }
    }
  }

  // Writes are chained so batches never interleave and flush() sees every earlier write.
  const flush = (): Promise<void> => {
    const rows = buffer
    buffer = []
    writing = writing.then(() => (rows.length ? writeBatch(rows) : undefined))
    return writing
  }

  return {
    push(row) {
      buffer.push(row)
      // A full batch goes at once: young rows are cheap for the GC, old ones are not.
      if (intervalMinutes() === 0 || buffer.length >= MAX_BATCH) deps.waitUntil(flush())
    },
    flush,
    pending: () => buffer.length,
  }
}
