// The key pool: the hot, shared state of upstream keys. Every operation is shaped so that a Redis
// or Upstash version can run it as one atomic script; the memory version is plain code.
import type { KeyStatus, PoolKeyRow } from '../store/types'
import type { RouteHealth } from './routes'

export type KeyState = 'active' | 'cooling' | 'invalid'

/** The cooldown after a 429 that names no reset, before doubling. */
export const DEFAULT_COOLDOWN_MS = 60_000
/** The default's ceiling: a provider's own reset has none. */
export const MAX_DEFAULT_COOLDOWN_MS = 30 * 60_000

/** The cooldown for the `streak`-th 429 in a row that named no reset. */
export const defaultCooldownMs = (streak: number): number =>
  Math.min(DEFAULT_COOLDOWN_MS * 2 ** Math.max(streak - 1, 0), MAX_DEFAULT_COOLDOWN_MS)

/**
 * A picked key as the pool holds it: the stored value (sealed when ENCRYPTION_KEY is set) and its
 * hash, never the plaintext. The node opens it (src/secrets/opener.ts).
 */
export interface PickedKey {
  id: number
  /** The lookup hash: the key's identity in logs and the opener's cache. */
  hash: string
  /** The value as stored: sealed when ENCRYPTION_KEY is set. */
  stored: string
  /** Consecutive failures at pick time: a success needs reporting only when this is > 0. */
  failures: number
  /** True when a cooldown ended since the key's last report: a success must report it too. */
  rejoined?: boolean
}

/** The result of one attempt, already classified by the proxy (see proxy/health.ts). */
export type Outcome =
  /**
   * `depleted`: the answer said a limit's `remaining` is 0. The key is then picked only when no
   * other key is usable, until `until`, so it is not the one that draws the 429.
   */
  | { kind: 'success'; depleted?: { until: number; model?: string } }
  /** 401/403 or a provider's invalid-key error: counts towards the blacklist. */
  | { kind: 'auth_failure' }
  /**
   * 429: cool down until `until` (epoch ms), the provider's word; null when it named no reset:
   * the pool then cools for DEFAULT_COOLDOWN_MS, doubled for each 429 in a row up to
   * MAX_DEFAULT_COOLDOWN_MS, and a success starts the count again. Never counts towards the
   * blacklist. With `model`, the limit is the provider's per-model one: the key cools for that
   * model only and keeps serving the others.
   */
  | { kind: 'rate_limited'; until: number | null; model?: string }

export interface KeyPolicy {
  /** Consecutive auth failures that make a key invalid; 0 never blacklists. */
  blacklistThreshold: number
}

/** A change that must be persisted (status or failure count); null from report means none. */
export interface KeyChange {
  id: number
  from: KeyState
  to: KeyState
  status: KeyStatus
  failure_count: number
  /** Cooldown end (epoch ms) when `to` is 'cooling', or when the key cools for `model` only. */
  until?: number
  /** Set when the cooldown is for this model only (the key stays active for others). */
  model?: string
  /** With `model`: true when this report started the cooldown (a burst's later 429s do not). */
  began?: boolean
  /**
   * Set on the first report after a cooldown ended by itself: when it ended (epoch ms). The pool
   * notices the end lazily, so this is how the end reaches the key's history.
   */
  rejoined_at?: number
}

/** Live probes of invalid keys (half-open keys), instead of or besides validation requests. */
export interface ProbePolicy {
  /** The wait before an invalid key's first probe; doubles after each failed one (up to a day). */
  intervalMs: number
  /** Probes a group may start per minute. */
  perMinute: number
}

/** The longest wait between two probes of one key. */
export const MAX_PROBE_WAIT_MS = 24 * 3_600_000

export interface PoolCounts {
  active: number
  cooling: number
  invalid: number
}

/** Keys and, through RouteHealth, the routes they are sent on (incidents and circuits). */
export interface KeyPool extends RouteHealth {
  /**
   * True when every node sees this same pool (Redis, Upstash). A node-local pool (memory) is
   * refreshed from the store when another node changes the config or the keys.
   */
  readonly shared?: boolean
  /**
   * Adds keys; rows disabled leave the pool. A key already present keeps its health: its failure
   * count only grows, a cooldown stays, and an invalid key stays invalid until restore().
   */
  add(groupId: number, keys: PoolKeyRow[]): Promise<void>
  remove(groupId: number, ids: number[]): Promise<void>
  clearGroup(groupId: number): Promise<void>
  /**
   * Removes the group's keys that are not in `keep`: how a node-local pool catches up with keys
   * deleted on another node. Health of the kept keys is untouched.
   */
  retain(groupId: number, keep: ReadonlySet<number>): Promise<void>
  /**
   * Round-robin pick among active, non-cooling keys, O(1) plus one step per key marked for
   * `model`. A key cooling for `model` is not usable for it. Depleted keys, then keys in
   * `exclude`, are skipped while the group has other usable keys; null when no key is usable.
   */
  pick(
    groupId: number,
    now: number,
    exclude?: ReadonlySet<number>,
    model?: string,
  ): Promise<PickedKey | null>
  report(
    groupId: number,
    keyId: number,
    outcome: Outcome,
    policy: KeyPolicy,
    now: number,
  ): Promise<KeyChange | null>
  /**
   * Makes keys active with a zero failure count and no per-model cooldown; returns the ids that
   * changed state.
   */
  restore(groupId: number, ids: number[]): Promise<number[]>
  /**
   * An invalid key due for a live probe, marked in flight: at most one probe per key, and at most
   * `perMinute` started per group each minute. Null when none is due.
   */
  claimKeyProbe(groupId: number, now: number, policy: ProbePolicy): Promise<PickedKey | null>
  /**
   * A probe's end: `ok` makes the key active (the change is returned, to be persisted); false waits
   * twice as long before the next; null (it never reached the upstream) leaves it due.
   */
  keyProbeDone(
    groupId: number,
    keyId: number,
    ok: boolean | null,
    now: number,
  ): Promise<KeyChange | null>
  /** Ids of invalid keys in a group (for re-validation). */
  invalidIds(groupId: number): Promise<number[]>
  counts(groupId: number, now: number): Promise<PoolCounts>
  /**
   * When the group's first cooling key is usable again (epoch ms), for `model` when given (a key
   * cooling for it too is back at the later end); null when none is cooling.
   */
  earliestReset(groupId: number, now: number, model?: string): Promise<number | null>
}
