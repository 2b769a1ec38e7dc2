// Per-key usage (request_count, last_used_at) on a long-lived node: the log writer leaves it out
// of its batches and gathers it here, and it is written at most once per
// `request_log_write_interval_minutes`, as GPT-Load v1 wrote it with its logs (once a minute by
// default). With 100,000 keys used in turn, usage in every batch meant one key row per request,
// each a random page of api_keys and of its last-used index: +35% CPU per request (bench,
// edgeload-100k). Rows count only once their batch is stored, so a retried batch counts once. A
// cluster's leader gathers the log queue's usage here too (drain.ts).
import type { Deps } from '../deps'
import { storeErrorText } from '../store/error-text'
import { createUsageBuffer } from '../store/key-usage'
import type { RequestLog } from '../store/types'

/** Keys per addKeyUsage call: one transaction of ~20 ms on SQLite. */
export const KEYS_PER_WRITE = 5_000

export type UsageFlusher = ReturnType<typeof createUsageFlusher>

export const createUsageFlusher = (deps: Deps, intervalMinutes: () => number) => {
  const buffer = createUsageBuffer()
  let writtenAt = deps.now()
  return {
    /** Whether usage waits here now; with an interval of 0 it goes with each batch. */
    defers: () => intervalMinutes() > 0,
    /** Rows of a batch the store has taken. */
    add: (rows: readonly RequestLog[]) => buffer.add(rows),
    /** Writes what was gathered once it is due, or now when forced; a failure keeps it. */
    async write(force: boolean) {
      if (buffer.size() === 0) return
      if (!force && deps.now() - writtenAt < intervalMinutes() * 60_000) return
      const list = buffer.take()
      writtenAt = deps.now()
      // In slices, with requests served between them: 100,000 keys take ~0.4 s of SQLite.
      for (let i = 0; i < list.length; i += KEYS_PER_WRITE) {
        if (i > 0) await new Promise((r) => setTimeout(r, 0))
        try {
          await deps.store.addKeyUsage(list.slice(i, i + KEYS_PER_WRITE))
        } catch (err) {
          const left = list.slice(i)
          buffer.restore(left)
          deps.log('error', 'key usage write failed; kept in memory, will retry', {
            error: storeErrorText(err),
            keys: left.length,
          })
          return
        }
      }
    },
  }
}
