// What a node puts around a shared key pool (Redis, Upstash), whose every call is a round trip
// that can fail:
// - a failing call becomes a 503 naming the pool, not a 500, and the proxy answers at once;
// - the circuit view is read at most every CIRCUITS_TTL_MS per node, so a proxied request costs
//   one round trip (the pick) while every upstream is healthy.
import { AppError } from '../errors'
import type { KeyPool } from './pool'

/** How stale a node's view of other nodes' circuits may be. */
export const CIRCUITS_TTL_MS = 250

const unavailable = (err: unknown) =>
  err instanceof AppError
    ? err
    : new AppError(
        503,
        'SERVICE_UNAVAILABLE',
        `key pool unreachable: ${err instanceof Error ? err.message : String(err)}`,
      )

export const wrapSharedPool = (pool: KeyPool): KeyPool => {
  const out = {} as Record<string, unknown>
  for (const name of Object.keys(pool) as Array<keyof KeyPool>) {
    const member = pool[name]
    out[name] =
      typeof member === 'function'
        ? async (...args: unknown[]) => {
            try {
              return await (member as (...a: unknown[]) => Promise<unknown>).apply(pool, args)
            } catch (err) {
              throw unavailable(err)
            }
          }
        : member
  }
  const guarded = out as unknown as KeyPool
  let cached: { at: number; view: Awaited<ReturnType<KeyPool['circuits']>> } | null = null
  const readCircuits = guarded.circuits
  return {
    ...guarded,
    async circuits(now) {
      if (cached && now - cached.at < CIRCUITS_TTL_MS && now >= cached.at) return cached.view
      const view = await readCircuits(now)
      cached = { at: now, view }
      return view
    },
    // A change this node makes is seen by its next request at once.
    async routeFailure(...args) {
      cached = null
      return guarded.routeFailure(...args)
    },
    async routeSuccess(route) {
      cached = null
      return guarded.routeSuccess(route)
    },
    async probeDone(...args) {
      cached = null
      return guarded.probeDone(...args)
    },
    async claimProbe(...args) {
      cached = null
      return guarded.claimProbe(...args)
    },
  }
}
