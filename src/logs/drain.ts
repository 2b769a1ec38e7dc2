// The leader's half of the log queue: moves queued rows into the database in batches. A batch is
// acknowledged only after insertLogs committed it, so a leader killed mid-batch leaves the rows in
// the queue for the next one, and insertLogs' idempotence stores them once.
import type { Store } from '../store/types'
import type { LogQueue } from './queue'

/** Rows per database batch: a few statements each (the rows travel as JSON parameters). */
export const DRAIN_BATCH = 500

/**
 * Drains until the queue is empty, `budgetMs` has passed or `stillLeads` says no; returns the rows
 * written. A failed write leaves its batch queued and throws.
 */
export const drainLogQueue = async (
  queue: LogQueue,
  store: Store,
  now: () => number,
  budgetMs: number,
  stillLeads: () => boolean = () => true,
): Promise<number> => {
  const end = now() + budgetMs
  let written = 0
  do {
    const { ids, rows } = await queue.read(DRAIN_BATCH)
    if (ids.length === 0) break
    await store.insertLogs(rows)
    await queue.ack(ids)
    written += rows.length
    if (ids.length < DRAIN_BATCH) break
  } while (now() < end && stillLeads())
  return written
}
