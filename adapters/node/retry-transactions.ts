// Runs a drizzle database's transactions again when the database rolled one back to break a
// deadlock (PostgreSQL, InnoDB). Concurrent batches — log flushes' usage counts, health writes,
// admin actions, other nodes — lock the same keys in different orders, and the database then picks
// a victim. A Store batch only builds statements (runBatch in src/store/sql-util.ts), so running it
// again on a new transaction is safe.

/** Whether `err`, or an error it wraps (drizzle wraps the driver's as `cause`), matches. */
export const causedBy = (err: unknown, match: (e: Record<string, unknown>) => boolean): boolean => {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (match(e as Record<string, unknown>)) return true
  }
  return false
}

export interface RetryPolicy {
  /** Whether the failure rolled the transaction back and may run again. */
  retryable(err: unknown): boolean
  attempts: number
  /** The pause before attempt `n + 1`, random so the two sides do not meet again at once. */
  pauseMs(n: number): number
}

interface Transactional {
  transaction: (...args: never[]) => Promise<unknown>
}

export const retryTransactions = <D extends Transactional>(db: D, policy: RetryPolicy): D => {
  const transaction = async (...args: never[]) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await db.transaction(...args)
      } catch (err) {
        if (attempt >= policy.attempts || !policy.retryable(err)) throw err
        await new Promise((ok) => setTimeout(ok, policy.pauseMs(attempt)))
      }
    }
  }
  return new Proxy(db, {
    get: (target, key, receiver) =>
      key === 'transaction' ? transaction : Reflect.get(target, key, receiver),
  })
}
