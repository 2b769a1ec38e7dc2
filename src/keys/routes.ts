// Route health: when many distinct keys fail alike on one route (an upstream URL through one
// egress) within a short window, with no success in between, the fault is the route's, not the
// keys'. The success clause keeps ordinary per-key 429s of a busy pool from looking like one. Part of the KeyPool, so
// a shared pool (Redis, Upstash) shares incidents between nodes as it shares cooldowns.

/** Failures that can be the route's rather than the key's. */
export type FailureClass = 'auth' | 'rate_limit' | 'connect'

export type CircuitState = 'closed' | 'open' | 'half_open'

export interface IncidentPolicy {
  /**
   * Distinct keys failing alike within the window that make an incident (for connection errors,
   * that many errors); 0 turns detection off.
   */
  minKeys: number
  windowMs: number
  /**
   * How long an opened circuit skips the route before the first probe (±20 %, so probes do not
   * fall in step with a flapping upstream); doubles per failed probe.
   */
  openMs: number
}

/** The longest a circuit stays open between probes. */
export const MAX_OPEN_MS = 10 * 60_000

export interface RouteFailureResult {
  /** True while the route has an incident: the failure is the route's, so no key is charged. */
  incident: boolean
  /** Set once, when this failure opened the incident: the keys charged in the window, to undo. */
  undo?: Array<{ groupId: number; keyId: number }>
}

/**
 * A route that is not closed, or closed with failures since its last success (a suspect, whose
 * next success must be told), as the proxy and the console see it.
 */
export interface CircuitView {
  route: string
  state: CircuitState
  failure: FailureClass
  /** When the incident began (epoch ms). */
  since: number
  /** What opened it, for the console and the log. */
  cause: string
  /** When the next probe may go (epoch ms); meaningful while open. */
  retryAt: number
  /** True while a half-open probe is in flight. */
  probing: boolean
}

export interface RouteHealth {
  /**
   * Records a failure of a key on a route. `charged` says whether the key was penalised for it
   * (an undo needs to know); `resetIn` is the wait a 429 named (ms), null when none. Opens the
   * circuit when the policy's threshold is reached; a failed probe re-opens it for twice as long.
   */
  routeFailure(
    route: string,
    failure: FailureClass,
    key: { groupId: number; keyId: number; charged: boolean; resetIn?: number | null },
    policy: IncidentPolicy,
    now: number,
  ): Promise<RouteFailureResult>
  /**
   * The routes that are not closed, and closed ones with failures since their last success; null
   * when there are none (the hot path's case).
   */
  circuits(now: number): Promise<ReadonlyMap<string, CircuitView> | null>
  /** A success on a closed route: its failures so far were not an incident. */
  routeSuccess(route: string): Promise<void>
  /** Takes the half-open route's one probe slot; false when it is taken or the route is not due. */
  claimProbe(route: string, now: number): Promise<boolean>
  /**
   * A probe's answer: `ok` closes the circuit, false re-opens it for longer, null (the probe never
   * reached the upstream) leaves it half-open. Frees the slot.
   */
  probeDone(route: string, ok: boolean | null, now: number): Promise<void>
}

/** The proxy's scheme and host: its credentials never reach a route name, a log or the console. */
const egressOf = (proxy: string): string => {
  try {
    const u = new URL(proxy)
    return `${u.protocol}//${u.host}`
  } catch {
    return 'proxy'
  }
}

/** A route's identity: the upstream base URL and the egress proxy it goes through. */
export const routeOf = (base: string, proxy: string): string =>
  proxy ? `${base} via ${egressOf(proxy)}` : base

/**
 * The outbound proxy itself, as a route every upstream behind it shares: a dead or throttled
 * egress is found from failures on all of them together.
 */
export const egressRouteOf = (proxy: string): string => `proxy ${egressOf(proxy)}`
