// The key service's write queue: health changes (one per key id, the latest wins) and history
// events (in order), written to the store in batches off the hot path, with no timer.
import type { Deps } from '../deps'
import { clip } from '../text'
import type { KeyEventState, KeyHealthUpdate, NewKeyEvent } from '../store/types'

const WRITE_BATCH = 500
const MAX_PENDING_EVENTS = 10_000
export const MAX_EVENT_MESSAGE = 500

export const createKeyWrites = (deps: Deps) => {
  const { store } = deps
  // Pending health writes, one per key id: a later change replaces an earlier one.
  let pending = new Map<number, KeyHealthUpdate>()
  // Pending history events, oldest first; written in the same off-path batch as health.
  let events: NewKeyEvent[] = []
  let writing: Promise<void> | null = null
  // After a failure, changes wait out a backoff (2, 4 … 30 s) instead of each trying the store
  // again; the flush job retries when it is due, and flush() tries at once.
  let failures = 0
  let retryAt = 0

  const queueEvents = (rows: NewKeyEvent[]) => {
    events = events.length === 0 ? rows : events.concat(rows)
    if (events.length > MAX_PENDING_EVENTS) events = events.slice(-MAX_PENDING_EVENTS)
  }

  const eventsOf = (
    groupId: number,
    ids: number[],
    from: KeyEventState | null,
    to: KeyEventState,
    message: string,
    status = 0,
    at = deps.now(),
  ): NewKeyEvent[] => {
    const time = new Date(at)
    // Callers pass redacted text; the cap keeps one provider's long error page out of the table.
    const msg = clip(message, MAX_EVENT_MESSAGE)
    return ids.map((key_id) => ({
      key_id,
      group_id: groupId,
      time,
      from_state: from,
      to_state: to,
      status_code: status,
      message: msg,
    }))
  }

  /** Writes until the queues are empty; false when the store failed (entries are kept). */
  const drain = async (): Promise<boolean> => {
    while (pending.size > 0 || events.length > 0) {
      const batch = [...pending.values()]
      pending = new Map()
      const evs = events
      events = []
      let written = 0
      try {
        for (let i = 0; i < batch.length; i += WRITE_BATCH) {
          await store.updateKeyHealth(batch.slice(i, i + WRITE_BATCH))
        }
        for (; written < evs.length; written += WRITE_BATCH) {
          await store.addKeyEvents(evs.slice(written, written + WRITE_BATCH))
        }
      } catch (err) {
        // Keep what did not land unless a newer change for the same key arrived meanwhile.
        for (const u of batch) if (!pending.has(u.id)) pending.set(u.id, u)
        // Unwritten events go back ahead of those queued meanwhile, keeping them in order.
        const newer = events
        events = []
        queueEvents(evs.slice(written).concat(newer))
        deps.log('error', 'key health write failed; will retry', { error: String(err) })
        failures++
        retryAt = deps.now() + Math.min(2000 * 2 ** (failures - 1), 30_000)
        return false
      }
    }
    failures = 0
    retryAt = 0
    return true
  }

  const queueHealth = (u: KeyHealthUpdate) => {
    pending.set(u.id, u)
  }

  // No timer: the first change queues one promise; changes made before it runs join its batch.
  // After a failure nothing is retried before `retryAt`, so a broken store is not hammered.
  const schedule = (force = false): void => {
    if (writing || (pending.size === 0 && events.length === 0)) return
    if (!force && deps.now() < retryAt) return
    writing = (async () => {
      await null
      const ok = await drain()
      writing = null
      if (ok && (pending.size > 0 || events.length > 0)) schedule()
    })()
    deps.waitUntil(writing)
  }

  const flush = async (): Promise<void> => {
    // Bounded, so a failing store cannot hang shutdown.
    for (let i = 0; i < 5; i++) {
      if (!writing && (pending.size > 0 || events.length > 0)) schedule(true)
      if (!writing) return
      await writing
    }
  }

  return { queueEvents, eventsOf, queueHealth, schedule, flush }
}
