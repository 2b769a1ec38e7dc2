// GET /health/ready: whether this node can do its work. Settings, groups and keys must be loaded,
// the database must answer a cheap probe in time, and request-log writes must not be failing.
// `/health` stays the liveness check. The check never hangs: the probe has its own deadline.
import type { Core } from '../core'
import { LEASE_LEADER } from '../coord/types'
import { storeErrorText } from '../store/error-text'

export const PING_TIMEOUT_MS = 1000

/** Resolves with why `ping` failed, or null when it answered within the deadline. */
const probe = (ping: () => Promise<unknown>): Promise<string | null> =>
  new Promise((resolve) => {
    const timer = setTimeout(
      () => resolve(`no answer within ${PING_TIMEOUT_MS} ms`),
      PING_TIMEOUT_MS,
    )
    ping().then(
      () => (clearTimeout(timer), resolve(null)),
      (err: unknown) => (clearTimeout(timer), resolve(storeErrorText(err))),
    )
  })

/** The reasons this node is not ready; empty when it is. */
export const readiness = async (core: Core, loaded: boolean): Promise<string[]> => {
  const { store, coord, logQueue } = core.deps
  const reasons: string[] = []
  if (!loaded) reasons.push('not initialised: settings, groups and keys are still loading')
  const [unreachable, shared] = await Promise.all([
    probe(() => store.ping()),
    // With a log queue the pool, leases and versions live in Redis: without it nothing proxies.
    // The leader lease's holder, as no cache answers it (a pick's config version may).
    logQueue ? probe(() => coord.holder(LEASE_LEADER)) : null,
  ])
  if (unreachable) reasons.push(`database unreachable: ${unreachable}`)
  if (shared) reasons.push(`Redis unreachable: ${shared}`)
  const failure = core.logs.failure()
  if (failure) {
    const kept = `${core.logs.pending()} request-log rows kept in memory`
    const where = logQueue ? 'Redis log queue' : 'database'
    reasons.push(`${where} writes failing: ${failure} (${kept})`)
  }
  return reasons
}
