// Picks the upstream URL of an attempt around open circuits: a route with an incident is skipped
// while the group has another, and a half-open one gets one probe at a time (keys/routes.ts).
import type { GroupEntry } from '../config/cache'
import type { Core } from '../core'
import { AppError } from '../errors'
import type { ProbePolicy } from '../keys/pool'
import { egressRouteOf, routeOf, type CircuitView, type IncidentPolicy } from '../keys/routes'
import { retrySeconds } from '../auth/guard'

/** One route an attempt goes through: the upstream URL (via its proxy), and the proxy itself. */
export interface WayRoute {
  route: string
  /** This attempt is the route's half-open probe. */
  probe: boolean
  /** The route had failures since its last success, or is being probed: it must hear back. */
  watched: boolean
}

export type RoutePick =
  | { base: string; routes: WayRoute[] }
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

/** Frees the probe slots an attempt took but will not use. */
export const releaseProbes = async (core: Core, routes: WayRoute[]): Promise<void> => {
  for (const r of routes)
    if (r.probe) await core.deps.pool.probeDone(r.route, null, core.deps.now())
}

export const pickRoute = async (core: Core, entry: GroupEntry): Promise<RoutePick> => {
  const { pool } = core.deps
  const proxy = entry.settings.proxy_url
  const names = (base: string) =>
    proxy ? [routeOf(base, proxy), egressRouteOf(proxy)] : [routeOf(base, proxy)]
  const now = core.deps.now()
  const circuits = await pool.circuits(now)
  if (circuits === null) {
    const base = entry.upstreams.next()
    if (base === null) throw noUpstream()
    return { base, routes: names(base).map((route) => ({ route, probe: false, watched: false })) }
  }
  let blocked: CircuitView | null = null
  // Half-open routes whose probe slot another request took meanwhile.
  const taken = new Set<string>()
  const closedFor = (c: CircuitView | undefined) => c === undefined || c.state === 'closed'
  for (;;) {
    const base = entry.upstreams.next((b) => {
      for (const name of names(b)) {
        const c = circuits.get(name)
        if (closedFor(c)) continue
        if (c!.state === 'half_open' && !c!.probing && !taken.has(name)) continue
        if (blocked === null || c!.retryAt < blocked.retryAt) blocked = c!
        return true
      }
      return false
    })
    if (base === null) {
      if (blocked !== null) return { blocked }
      throw noUpstream()
    }
    const routes: WayRoute[] = []
    for (const route of names(base)) {
      const c = circuits.get(route)
      if (closedFor(c)) {
        routes.push({ route, probe: false, watched: c !== undefined })
        continue
      }
      // Half-open: only the request that takes the slot goes; another node may have taken it.
      if (await pool.claimProbe(route, now)) {
        routes.push({ route, probe: true, watched: true })
        continue
      }
      taken.add(route)
      await releaseProbes(core, routes)
      routes.length = 0
      break
    }
    if (routes.length > 0) return { base, routes }
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
