// The request-log writer: rows are buffered in memory and written in batches off the hot path,
// every LOG_FLUSH_MS or as soon as a batch is full. `request_log_write_interval_minutes` is only
// an upper bound (0 writes each row at once, still without blocking). While the store fails, rows
// wait in a bounded buffer (oldest dropped past it) and are retried with backoff. With a cluster's
// log queue (deps.logQueue) rows go there instead, within LOG_QUEUE_DELAY_MS, and the leader
// writes them to the store (src/logs/drain.ts). A long-lived node writes per-key usage less often
// (usage-flush.ts).
import type { Deps } from '../deps'
import { storeErrorText } from '../store/error-text'
import type { RequestLog } from '../store/types'
import { createUsageFlusher, type UsageFlusher } from './usage-flush'

export interface LogWriter {
  push(row: RequestLog): void
  /** Writes everything buffered now, backoff or not; resolves when it is stored or has failed. */
  flush(): Promise<void>
  /** The timer's turn: writes what is pending, unless a failed write is backing off. */
  tick(): Promise<void>
  pending(): number
  /** Why the last write failed, while writes fail; null once one succeeds. */
  failure(): string | null
  /**
   * Per-key usage held back from the stored batches, this node's and, on a cluster's leader, the
   * log queue's (drain.ts); null where no timer would write it later (Workers).
   */
  usage: UsageFlusher | null
}

export interface LogBufferLimits {
  /** Rows kept while the store cannot take them. */
  maxRows: number
  /** Their estimated size (characters of text plus a fixed cost per row). */
  maxBytes: number
}

/** How often the scheduler calls tick(): the longest a row waits while the store works. */
export const LOG_FLUSH_MS = 2_000
/** With a log queue: the longest a row waits on this node before it is pushed. */
export const LOG_QUEUE_DELAY_MS = 100
export const DEFAULT_LOG_BUFFER: LogBufferLimits = { maxRows: 100_000, maxBytes: 64 << 20 }

/**
 * Pending rows that start a write at once. A row that waits for its batch through two of V8's
 * young-generation collections (about 250 chats' worth of allocation apart on Node) is copied
 * into the old generation and left for a full collection: at 500 rows most rows were, at 128
 * few (measured at 64 concurrent chats: 0.2 MB against 0.05 MB promoted per collection).
 */
export const LOG_BATCH_ROWS = 128
// Rows per store call: a backlog (after a failed write) goes in slices of this many.
const MAX_BATCH = 500
// Retries after a failure wait 2, 4, 8, 16, then 30 s: a synchronous SQLite driver blocks the
// event loop for its busy timeout on every attempt against a locked file.
const MAX_RETRY_MS = 30_000
const WARN_EVERY_MS = 60_000
const ROW_OVERHEAD = 300

const sizeOf = (r: RequestLog) =>
  ROW_OVERHEAD +
  r.request_body.length +
  r.error_message.length +
  r.user_agent.length +
  r.request_path.length +
  r.upstream_addr.length +
  r.model.length

export const createLogWriter = (
  deps: Deps,
  intervalMinutes: () => number,
  limits: LogBufferLimits = DEFAULT_LOG_BUFFER,
): LogWriter => {
  // Oldest first. Dropped rows advance `head` instead of shifting the array on every push.
  let rows: RequestLog[] = []
  let head = 0
  let bytes = 0
  let failure: string | null = null
  let failures = 0
  let retryAt = 0
  // Rows dropped since the last warning; the warning comes at most once per WARN_EVERY_MS.
  let dropped = 0
  let warnedAt = -Infinity

  const pending = () => rows.length - head

  const take = (): RequestLog[] => {
    const out = head === 0 ? rows : rows.slice(head)
    rows = []
    head = 0
    bytes = 0
    return out
  }

  const reportDropped = (force: boolean) => {
    const now = deps.now()
    if (dropped === 0 || (!force && now - warnedAt < WARN_EVERY_MS)) return
    deps.log('warn', 'request log buffer full: oldest rows dropped', {
      dropped,
      buffered: pending(),
      max_rows: limits.maxRows,
      max_bytes: limits.maxBytes,
    })
    dropped = 0
    warnedAt = now
  }

  /** Drops the oldest rows past the limits; the newest row always stays. */
  const enforceLimits = () => {
    while (pending() > 1 && (pending() > limits.maxRows || bytes > limits.maxBytes)) {
      bytes -= sizeOf(rows[head])
      rows[head++] = undefined as unknown as RequestLog
      dropped++
    }
    if (head > 1024 && head * 2 > rows.length) {
      rows = rows.slice(head)
      head = 0
    }
    reportDropped(false)
  }

  // Set once a write failed: its rows may have landed all the same (a lost acknowledgement), so
  // the store checks ids until a write succeeds again.
  let offered = false

  const failed = (unwritten: RequestLog[], err: unknown) => {
    offered = true
    // Unwritten rows go back ahead of newer ones. A batch is one transaction: none lands twice.
    rows = unwritten.concat(head === 0 ? rows : rows.slice(head))
    head = 0
    bytes = rows.reduce((n, r) => n + sizeOf(r), 0)
    failure = storeErrorText(err)
    failures++
    retryAt = deps.now() + Math.min(LOG_FLUSH_MS * 2 ** (failures - 1), MAX_RETRY_MS)
    deps.log('error', 'request log write failed; rows kept in memory, will retry', {
      error: failure,
      buffered: pending(),
    })
    enforceLimits()
  }

  const queue = deps.logQueue
  // Only where a timer writes it later: a Workers isolate may be gone by then.
  const usage = deps.scheduler ? createUsageFlusher(deps, intervalMinutes) : null
  const store = async (b: RequestLog[]) => {
    const defer = usage?.defers() ?? false
    await deps.store.insertLogs(b, { fresh: !offered, usage: !defer })
    if (defer) usage!.add(b)
  }
  const sink = queue ? (b: RequestLog[]) => queue.push(b) : store

  const writeBatch = async (batch: RequestLog[]) => {
    let i = 0
    try {
      for (; i < batch.length; i += MAX_BATCH) {
        await sink(batch.slice(i, i + MAX_BATCH))
        // Local SQLite writes synchronously: let requests through between batches.
        if (i + MAX_BATCH < batch.length) await new Promise((r) => setTimeout(r, 0))
      }
    } catch (err) {
      return failed(batch.slice(i), err)
    }
    if (failure !== null) {
      deps.log('info', 'request log writes resumed', { written: batch.length })
      reportDropped(true)
    }
    failure = null
    failures = 0
    retryAt = 0
    offered = false
  }

  // Writes are chained so batches never interleave and flush() sees every earlier write. Rows
  // are taken when a write starts, so rows pushed meanwhile join it.
  let writing: Promise<void> = Promise.resolve()
  let queued = false
  const run = (force: boolean): Promise<void> => {
    writing = writing.then(async () => {
      queued = false
      if (!force && deps.now() < retryAt) return
      const batch = take()
      if (batch.length > 0) await writeBatch(batch)
      await usage?.write(force)
    })
    return writing
  }

  return {
    push(row) {
      rows.push(row)
      bytes += sizeOf(row)
      if (pending() > limits.maxRows || bytes > limits.maxBytes) enforceLimits()
      // A full batch goes at once (young rows are cheap for the GC, old ones are not), unless
      // the store is failing: then the timer retries, and the hot path never touches it.
      if (queued || deps.now() < retryAt) return
      if (intervalMinutes() === 0 || pending() >= LOG_BATCH_ROWS) {
        queued = true
        deps.waitUntil(run(false))
      } else if (queue || !deps.scheduler) {
        // Pipelined: one push per LOG_QUEUE_DELAY_MS carries every row that came meanwhile.
        // Without a scheduler (Workers) no timer would write an idle isolate's rows: one write
        // per LOG_FLUSH_MS follows the responses, kept alive by waitUntil.
        queued = true
        const delay = queue ? LOG_QUEUE_DELAY_MS : LOG_FLUSH_MS
        deps.waitUntil(new Promise((ok) => setTimeout(ok, delay)).then(() => run(false)))
      }
    },
    flush: () => run(true),
    tick: () => run(false),
    pending,
    failure: () => failure,
    usage,
  }
}
