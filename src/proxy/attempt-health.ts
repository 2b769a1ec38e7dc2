// What one attempt tells the pool beyond a key's plain outcome: the verdict of a route's probe,
// the success that clears a route's counted failures, an upstream incident (which charges no key
// and undoes the window's penalties), and the end of a live probe of an invalid key.
import type { GroupEntry } from '../config/cache'
import type { Core } from '../core'
import type { KeyCause } from '../keys/service'
import type { Outcome } from '../keys/pool'
import type { FailureClass } from '../keys/routes'
import { incidentPolicy, type WayRoute } from './route-pick'

export const createAttemptHealth = (
  core: Core,
  entry: GroupEntry,
  /** The routes the attempt went through (route-pick.ts). */
  routes: WayRoute[],
  keyId: number,
  /** The key is invalid, and this attempt is its live probe. */
  keyProbe: boolean,
) => {
  const { deps, keys } = core
  const { group, settings, channel } = entry
  const policy = { blacklistThreshold: settings.blacklist_threshold }

  /** Records a failure that may be the route's; true when it is, and then no key is charged. */
  const routeFailed = async (failure: FailureClass, charged: boolean, resetIn?: number | null) => {
    const key = { groupId: group.id, keyId, charged, resetIn }
    const incidents = incidentPolicy(settings)
    let incident = false
    for (const { route } of routes) {
      const r = await deps.pool.routeFailure(route, failure, key, incidents, deps.now())
      if (r.undo && r.undo.length > 0) deps.waitUntil(keys.undoPenalties(r.undo))
      incident ||= r.incident
    }
    return incident
  }

  return {
    /**
     * The upstream answered: `ok` when without the symptoms of an incident or a bad key; null
     * when the attempt never reached it (the client left).
     */
    async answered(ok: boolean | null) {
      for (const r of routes) {
        if (r.probe) await deps.pool.probeDone(r.route, ok, deps.now())
        else if (r.watched && ok) await deps.pool.routeSuccess(r.route)
      }
      if (keyProbe) await keys.probeDone(group.id, keyId, ok)
    },

    /** A connection error or timeout: it may be the route's, and is never the key's. */
    connectFailed: () => routeFailed('connect', false),

    /**
     * Charges the key for an upstream error, unless many keys failing alike make it the route's.
     * An answer naming the key invalid, or a rule blaming the key (`byRule`), is the key's own.
     * An invalid key failing its probe changes nothing but its next probe's time.
     */
    async charge(outcome: Outcome, byRule: boolean, status: number, text: string, cause: KeyCause) {
      if (keyProbe) return
      const cls: FailureClass | null = byRule
        ? null
        : outcome.kind === 'rate_limited'
          ? 'rate_limit'
          : outcome.kind === 'auth_failure' && !channel.isInvalidKeyError(status, text)
            ? 'auth'
            : null
      const now = deps.now()
      const resetIn =
        outcome.kind === 'rate_limited' && outcome.until !== null ? outcome.until - now : null
      if (cls !== null && (await routeFailed(cls, true, resetIn))) return
      deps.waitUntil(keys.report(group.id, keyId, outcome, policy, cause))
    },

    /** A success: reported only when it changes something (failures, a rejoin, a used-up limit). */
    succeeded(outcome: Outcome) {
      deps.waitUntil(keys.report(group.id, keyId, outcome, policy))
    },
  }
}
