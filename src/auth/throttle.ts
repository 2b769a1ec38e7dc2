// AuthThrottle: counts failed admin authentications per client IP and blocks an IP for a growing
// time once it has used its free tries. The memory implementation limits one node; a shared one
// (the coordination store) can replace it to make the limit cluster-wide.

export interface AuthFailure {
  /** Failures counted for this client, this one included. */
  failures: number
  /** ms this client must now wait before its next try; 0 while it has free tries left. */
  retryAfterMs: number
}

export interface AuthThrottle {
  /** ms `client` must still wait, or 0 when it may try. */
  retryAfter(client: string): Promise<number>
  /** Counts a failed try by `client`. */
  fail(client: string): Promise<AuthFailure>
  /** A success clears the client's failures. */
  succeed(client: string): Promise<void>
}

export interface AuthThrottleOptions {
  /** Failures allowed before the first block. */
  freeFailures: number
  /** The first block; each further failure doubles it. */
  baseMs: number
  maxMs: number
  /** A client's failures are forgotten this long after its last failure or block ended. */
  forgetMs: number
  /** Clients tracked at most; past this the longest-idle one is forgotten, so memory is bounded. */
  maxClients: number
}

export const AUTH_THROTTLE_DEFAULTS: AuthThrottleOptions = {
  freeFailures: 10,
  baseMs: 1000,
  maxMs: 15 * 60_000,
  forgetMs: 15 * 60_000,
  maxClients: 10_000,
}

interface Entry {
  failures: number
  /** Epoch ms the block ends; 0 when not blocked. */
  until: number
  last: number
}

export const createMemoryAuthThrottle = (
  now: () => number,
  options: Partial<AuthThrottleOptions> = {},
): AuthThrottle => {
  const o = { ...AUTH_THROTTLE_DEFAULTS, ...options }
  // Insertion order is recency order: an entry is re-inserted on each failure.
  const entries = new Map<string, Entry>()

  const live = (client: string, t: number): Entry | null => {
    const e = entries.get(client)
    if (!e) return null
    if (t - Math.max(e.last, e.until) < o.forgetMs) return e
    entries.delete(client)
    return null
  }

  return {
    async retryAfter(client) {
      const t = now()
      const e = live(client, t)
      return e && e.until > t ? e.until - t : 0
    },
    async fail(client) {
      const t = now()
      const e = live(client, t) ?? { failures: 0, until: 0, last: 0 }
      e.failures++
      e.last = t
      const over = e.failures - o.freeFailures
      // 2 ** over overflows to Infinity long after maxMs caps it; Math.min keeps it finite.
      if (over > 0) e.until = t + Math.min(o.baseMs * 2 ** (over - 1), o.maxMs)
      entries.delete(client)
      entries.set(client, e)
      if (entries.size > o.maxClients) entries.delete(entries.keys().next().value!)
      return { failures: e.failures, retryAfterMs: Math.max(e.until - t, 0) }
    },
    async succeed(client) {
      entries.delete(client)
    },
  }
}
