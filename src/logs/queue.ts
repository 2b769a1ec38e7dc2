// The log queue: where nodes of a cluster put their request-log rows (Redis, Upstash) so that
// one node, the leader, writes them to the database in batches. Rows leave the queue only once
// the database holds them; the Store's insertLogs is idempotent by row id, so rows read twice
// (a leader killed between its commit and its acknowledgement) are stored once.
import type { RequestLog } from '../store/types'

export interface QueuedLogs {
  /** The queue's own ids of the rows, oldest first: what ack() takes. */
  ids: string[]
  rows: RequestLog[]
}

export interface LogQueue {
  /** Appends rows (one round trip). Rejects when the queue cannot take them. */
  push(rows: RequestLog[]): Promise<void>
  /** Up to `max` of the oldest rows, left in the queue until acknowledged. */
  read(max: number): Promise<QueuedLogs>
  /** Removes rows that the database now holds. */
  ack(ids: string[]): Promise<void>
  /** Rows waiting. */
  depth(): Promise<number>
}

/** A row as the queue carries it: JSON with the timestamp as epoch ms. */
export const toQueued = (row: RequestLog): string =>
  JSON.stringify({ ...row, timestamp: row.timestamp.getTime() })

/** Null for an entry that is not a row (never written by us): the drain skips and drops it. */
export const fromQueued = (text: string): RequestLog | null => {
  try {
    const r = JSON.parse(text) as RequestLog & { timestamp: number }
    if (typeof r?.id !== 'string' || typeof r.timestamp !== 'number') return null
    return { ...r, timestamp: new Date(r.timestamp) }
  } catch {
    return null
  }
}
