// KeyService: every change to upstream keys goes through here, so the store and the key pool
// never disagree. Implemented in src/keys/create-service.ts.
import type { KeyPolicy, Outcome, ProbePolicy } from './pool'
import type { KeyEventState, KeyStatus, PoolKeyRow } from '../store/types'
import type { OpenedKey } from './open'

export interface KeyOpResult {
  count: number
  ignored: number
  total_in_group: number
}

/** What caused a health change: the upstream status and its redacted message (never the key). */
export interface KeyCause {
  status: number
  message: string
}

/** Who restored keys, as their history records it. */
export type RestoredBy = 'admin' | 'validation'

export interface KeyService {
  /** Parses a JSON array of strings, or text split on whitespace, `,` or `;`. Deduplicated. */
  parse(text: string): string[]
  add(groupId: number, keys: string[]): Promise<KeyOpResult>
  delete(groupId: number, keys: string[]): Promise<KeyOpResult>
  restore(groupId: number, keys: string[]): Promise<KeyOpResult>
  restoreAllInvalid(groupId: number): Promise<number>
  clear(groupId: number, status?: KeyStatus): Promise<number>
  /** Turns the listed keys on or off (by value); `count` is the keys that changed. */
  setEnabled(groupId: number, keys: string[], enabled: boolean): Promise<KeyOpResult>
  /** Turns keys on or off by id; returns how many changed. */
  setEnabledByIds(groupId: number, ids: number[], enabled: boolean): Promise<number>
  /**
   * Loads the groups' keys from the store into the pool, in batches: at start-up, and on a
   * node-local pool after another node's change, when keys disabled or deleted there leave too.
   */
  loadPool(groupIds: number[]): Promise<void>
  /**
   * Restores keys by id in the store and the pool (validation successes); records each key whose
   * state changed in its history (`from` null: unknown). Returns the ids the store changed.
   */
  restoreIds(
    groupId: number,
    ids: number[],
    by: RestoredBy,
    from?: KeyEventState | null,
  ): Promise<number[]>
  /**
   * Applies an attempt's outcome to the pool and persists any change off the hot path; a state
   * change is recorded in the key's history with `cause`.
   */
  report(
    groupId: number,
    keyId: number,
    outcome: Outcome,
    policy: KeyPolicy,
    cause?: KeyCause,
  ): Promise<void>
  /**
   * Picks a usable key of the group for `model`, round robin, and opens it (once per process per
   * key); a key this node cannot open leaves the pool. Null when no key is usable.
   */
  pick(groupId: number, exclude?: ReadonlySet<number>, model?: string): Promise<OpenedKey | null>
  /**
   * An invalid key due for a live probe (see KeyPool.claimKeyProbe), opened; null when none is.
   */
  claimProbe(groupId: number, policy: ProbePolicy): Promise<OpenedKey | null>
  /** A probe's end: `ok` restores the key in the pool and the store, false backs off. */
  probeDone(groupId: number, keyId: number, ok: boolean | null): Promise<void>
  /** Opens stored rows for a caller that must show or send the keys; unreadable ones are left out. */
  openRows(rows: PoolKeyRow[]): Promise<PoolKeyRow[]>
  /**
   * Undoes the penalties of failures that turned out to be an upstream incident: the keys are
   * active again with a zero failure count and no cooldown, in the pool and the store.
   */
  undoPenalties(keys: ReadonlyArray<{ groupId: number; keyId: number }>): Promise<void>
  /** Writes pending health changes and history events (on shutdown, and before reads). */
  flush(): Promise<void>
  /** Starts writing what is pending if a failed write's backoff is over (the flush job). */
  retryWrites(): void
}
