// The leader's half of the log queue: moves queued rows into the database in batches. A batch is
// acknowledged only after insertLogs committed it, so a leader killed mid-batch leaves the rows in
// the queue for the next one, and insertLogs' idempotence stores them once.
import type { Store } from '../store/types'
import type { LogQueue } from './queue'
import type { UsageFlusher } from './usage-flush'

/** Rows per database batch: a few statements each (the rows travel as JSON parameters). */
export const DRAIN_BATCH = 500

/**
 * Drains until the queue is empty, `budgetMs` has passed or `stillLeads` says no; returns the rows
 * written. A failed write leaves its batch queued and throws. With `usage` deferring, per-key
 * usage of the stored rows waits there (usage-flush.ts) instead of going with each batch.
 */
export const drainLogQueue = async (
  queue: LogQueue,
  store: Store,
  now: () => number,
  budgetMs: number,
  opts: { stillLeads?: () => boolean; usage?: UsageFlusher | null } = {},
): Promise<number> => {
  const { stillLeads = () => true, usage = null } = opts
  const end = now() + budgetMs
  let written = 0
  do {
    const { ids, rows } = await queue.read(DRAIN_BATCH)
    if (ids.length === 0) break
    const defer = usage?.defers() ?? false
    await store.insertLogs(rows, { usage: !defer })
    await queue.ack(ids)
    // Counted once acknowledged: rows read again after a failed write or ack were not counted yet.
    if (defer) usage!.add(rows)
    written += rows.length
    if (ids.length < DRAIN_BATCH) break
  } while (now() < end && stillLeads())
  return written
}
