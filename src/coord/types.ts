// Coordination: what nodes and isolates must agree on. Named leases with a TTL (the leader, the
// one key task) and named version counters (config changes). Implementations: memory (one
// process), the Store's database (src/coord/sql.ts), later Redis and Upstash; test/coord.contract.ts
// is the suite each one passes. Time comes from the `now` an implementation is built with.

/** A live lease: who holds it, and until when (epoch ms). */
export interface Lease {
  owner: string
  until: number
}

export interface Coordination {
  /**
   * Takes lease `name` for `owner` until now + ttlMs when nobody holds it live; an owner who
   * already holds it renews it. True when `owner` holds it afterwards. Among racing callers
   * exactly one wins.
   */
  acquire(name: string, owner: string, ttlMs: number): Promise<boolean>
  /** Extends the lease to now + ttlMs only while `owner` still holds it live. */
  renew(name: string, owner: string, ttlMs: number): Promise<boolean>
  /** Frees the lease at once when `owner` holds it; false otherwise. */
  release(name: string, owner: string): Promise<boolean>
  /** The live holder, or null when the lease is free or has expired. */
  holder(name: string): Promise<Lease | null>
  /** The counter's value: 0 until the first bump. */
  version(name: string): Promise<number>
  /** Increments the counter by one and returns the new value; never goes back. */
  bump(name: string): Promise<number>
  /**
   * Optional: calls `listener` with the new value when a bump happens, where the implementation
   * can tell (memory in-process, Redis pub/sub). Nodes that poll `version` need no notices.
   */
  watch?(name: string, listener: (version: number) => void): () => void
}

/** The leases and counters the core uses. */
export const LEASE_LEADER = 'leader'
export const LEASE_TASK = 'task'
export const VERSION_CONFIG = 'config'
