// The in-process RouteHealth of the memory pool: per route, the recent failures by class and the
// circuit. Synchronous inside, so each call is atomic per node.
import { MAX_OPEN_MS, type CircuitView, type FailureClass, type RouteHealth } from './routes'

interface Failure {
  failure: FailureClass
  groupId: number
  keyId: number
  charged: boolean
  resetIn?: number | null
  at: number
}

interface Route {
  recent: Failure[]
  circuit: CircuitView | null
  /** The open time for the next re-open: doubles per failed probe. */
  openMs: number
}

const LABEL: Record<Exclude<FailureClass, 'connect'>, string> = {
  auth: '401/403',
  rate_limit: '429',
}

/**
 * The failures that may share one cause. 429s naming waits that differ are each key's own limit
 * running out (a busy pool's keys hit their limits together, each with its own reset): only those
 * naming no wait may then be the route's. Waits that agree (within 1 s or 10 %) are one limit.
 */
const sharedLimit = (alike: Failure[]): Failure[] => {
  const waits = alike.map((f) => f.resetIn).filter((w): w is number => w != null)
  if (waits.length < 2) return alike
  const lo = Math.min(...waits)
  const hi = Math.max(...waits)
  return hi - lo <= Math.max(1000, hi * 0.1) ? alike : alike.filter((f) => f.resetIn == null)
}

/** How much an open time varies either way. */
export const OPEN_JITTER = 0.2

/** Failures kept per route: enough for any sane threshold, bounded whatever the traffic. */
const MAX_RECENT = 1000

/**
 * @param random where the open time's jitter comes from: a fixed value makes it exact (tests).
 */
export const createMemoryRoutes = (random: () => number = Math.random): RouteHealth => {
  // Open times vary by ±OPEN_JITTER, so probes do not keep landing in step with a flapping
  // upstream, and nodes finding the same incident do not probe together.
  const jittered = (ms: number) => Math.round(ms * (1 + OPEN_JITTER * (2 * random() - 1)))
  const routes = new Map<string, Route>()
  /** Routes not closed, or with failures since their last success: the hot path checks only
   * that this is empty. */
  const watched = new Map<string, CircuitView>()

  const reopen = (r: Route, c: CircuitView, now: number) => {
    c.state = 'open'
    c.retryAt = now + jittered(r.openMs)
    c.probing = false
  }

  return {
    async routeFailure(route, failure, key, policy, now) {
      let r = routes.get(route)
      if (r === undefined) routes.set(route, (r = { recent: [], circuit: null, openMs: 0 }))
      if (r.circuit !== null) return { incident: true }
      if (policy.minKeys <= 0) return { incident: false }
      const from = now - policy.windowMs
      r.recent = r.recent.filter((f) => f.at > from)
      if (r.recent.length >= MAX_RECENT) r.recent.shift()
      r.recent.push({ failure, ...key, at: now })
      const alike = r.recent.filter((f) => f.failure === failure)
      // Connection errors are not about keys at all, so each one counts; otherwise distinct keys.
      const count =
        failure === 'connect'
          ? alike.length
          : new Set(sharedLimit(alike).map((f) => `${f.groupId}:${f.keyId}`)).size
      if (count < policy.minKeys) {
        if (!watched.has(route)) {
          const suspect = { route, state: 'closed', failure, since: now, cause: '', retryAt: 0 }
          watched.set(route, { ...suspect, probing: false } as CircuitView)
        }
        return { incident: false }
      }
      r.openMs = policy.openMs
      const seconds = Math.round(policy.windowMs / 1000)
      r.circuit = {
        route,
        state: 'open',
        failure,
        since: now,
        cause:
          failure === 'connect'
            ? `${count} connection errors within ${seconds} s`
            : `${count} keys failed with ${LABEL[failure]} within ${seconds} s`,
        retryAt: now + jittered(policy.openMs),
        probing: false,
      }
      watched.set(route, r.circuit)
      const undo = alike.filter((f) => f.charged).map(({ groupId, keyId }) => ({ groupId, keyId }))
      r.recent = []
      return { incident: true, undo }
    },

    async circuits(now) {
      if (watched.size === 0) return null
      for (const c of watched.values()) {
        if (c.state === 'open' && c.retryAt <= now) c.state = 'half_open'
      }
      return watched
    },

    async routeSuccess(route) {
      const r = routes.get(route)
      if (r === undefined || r.circuit !== null) return
      routes.delete(route)
      watched.delete(route)
    },

    async claimProbe(route, now) {
      const c = watched.get(route)
      if (c === undefined || c.state === 'closed' || c.probing || c.retryAt > now) return false
      c.state = 'half_open'
      c.probing = true
      return true
    },

    async probeDone(route, ok, now) {
      const r = routes.get(route)
      const c = r?.circuit
      if (r === undefined || !c) return
      if (ok === null) {
        c.probing = false
        return
      }
      if (ok) {
        routes.delete(route)
        watched.delete(route)
        return
      }
      r.openMs = Math.min(r.openMs * 2, MAX_OPEN_MS)
      reopen(r, c, now)
    },
  }
}
