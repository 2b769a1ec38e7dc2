// The leader lease: one node at a time runs the deployment's background work (retention,
// re-validation). A node with IS_SLAVE=true never takes it. The holder renews it as it ticks; a
// dead leader's lease lapses after its TTL and the next node to tick takes over.
import { LEASE_LEADER } from '../coord/types'
import type { Deps } from '../deps'

export interface Leader {
  /** Takes or renews the lease when due; true while this node leads. Never throws. */
  hold(now: number): Promise<boolean>
  /** Whether this node led at its last hold(). */
  leads(): boolean
  /** Frees the lease at once (graceful shutdown), so another node need not wait out the TTL. */
  release(): Promise<void>
}

/** How long a leader's lease lives without renewal: the longest a dead leader blocks the rest. */
export const LEADER_LEASE_MS = 15_000

export const createLeader = (deps: Deps, nodeId: string): Leader => {
  const ttl = deps.config.leaderLeaseMs ?? LEADER_LEASE_MS
  let leading = false
  let renewedAt = -Infinity
  // After a failed check, wait before the next: on a locked SQLite file each try blocks.
  let retryAt = -Infinity
  return {
    async hold(now) {
      if (!deps.config.isMaster || now < retryAt) return false
      // Renew at a third of the TTL: two missed renewals still keep the lease.
      if (leading && now - renewedAt < ttl / 3) return true
      try {
        const won = await deps.coord.acquire(LEASE_LEADER, nodeId, ttl)
        if (won !== leading) deps.log('info', won ? 'leading background jobs' : 'leadership lost')
        leading = won
        if (won) renewedAt = now
      } catch (err) {
        // Unsure whether the lease still holds: stop leading rather than risk two leaders.
        leading = false
        retryAt = now + ttl / 3
        deps.log('warn', 'leader lease check failed', { error: String(err) })
      }
      return leading
    },
    leads: () => leading,
    async release() {
      if (!leading) return
      leading = false
      await deps.coord.release(LEASE_LEADER, nodeId).catch(() => {})
    },
  }
}
