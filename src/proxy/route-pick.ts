// Picks the upstream URL of an attempt around open circuits: a route with an incident is skipped
// while the group has another, and a half-open one gets one probe at a time (keys/routes.ts).
import type { GroupEntry } from '../config/cache'
import type { Core } from '../core'
import { AppError } from '../errors'
import type { ProbePolicy } from '../keys/pool'
import { routeOf, type CircuitView, type IncidentPolicy } from '../keys/routes'
import { retrySeconds } from '../auth/guard'

export type RoutePick =
  /** `watched`: the route had failures since its last success, which a success must clear. */
  | { base: string; route: string; probe: boolean; watched: boolean }
  /** Every route is open: the circuit whose probe comes first. */
  | { blocked: CircuitView }

export const incidentPolicy = (s: GroupEntry['settings']): IncidentPolicy => ({
  minKeys: s.incident_min_keys,
  windowMs: s.incident_window_seconds * 1000,
  openMs: s.circuit_open_seconds * 1000,
})

export const probePolicy = (s: GroupEntry['settings']): ProbePolicy => ({
  intervalMs: s.key_probe_interval_seconds * 1000,
  perMinute: s.key_probes_per_minute,
})

export const pickRoute = async (core: Core, entry: GroupEntry): Promise<RoutePick> => {
  const { pool } = core.deps
  const proxy = entry.settings.proxy_url
  const now = core.deps.now()
  const circuits = await pool.circuits(now)
  if (circuits === null) {
    const base = entry.upstreams.next()
    if (base === null) throw noUpstream()
    return { base, route: routeOf(base, proxy), probe: false, watched: false }
  }
  let blocked: CircuitView | null = null
  const taken = new Set<string>()
  for (;;) {
    const base = entry.upstreams.next((b) => {
      const c = circuits.get(routeOf(b, proxy))
      if (c === undefined || c.state === 'closed') return false
      if (c.state === 'half_open' && !c.probing && !taken.has(b)) return false
      if (blocked === null || c.retryAt < blocked.retryAt) blocked = c
      return true
    })
    if (base === null) {
      if (blocked !== null) return { blocked }
      throw noUpstream()
    }
    const route = routeOf(base, proxy)
    const c = circuits.get(route)
    if (c === undefined || c.state === 'closed') {
      return { base, route, probe: false, watched: c !== undefined }
    }
    // Half-open: only the request that takes the slot goes; another node may have taken it.
    if (await pool.claimProbe(route, now)) return { base, route, probe: true, watched: true }
    taken.add(base)
  }
}

const noUpstream = () =>
  new AppError(503, 'SERVICE_UNAVAILABLE', 'The group has no upstream with weight > 0')

/** The client's answer when every route of the group has an open circuit. */
export const circuitOpenError = (c: CircuitView, now: number): AppError => {
  const seconds = retrySeconds(Math.max(c.retryAt - now, 0))
  const status = c.failure === 'rate_limit' ? 429 : 503
  const message = `The upstream is failing for many keys at once (${c.cause}); retry in ${seconds} s`
  return new AppError(status, 'UPSTREAM_CIRCUIT_OPEN', message, { 'retry-after': String(seconds) })
}
