// The config version a shared key pool's pick brings back, served in place of a coordination
// read: a node that picked within `freshMs` learns of an admin change at no round trip of its
// own (on Workers, one Upstash call per proxied request in all). Only a higher version is taken
// from a pick, so an older pick's word never looks like a version that went back; a version
// that really went back (a Redis emptied) is seen by the next read once the tap goes stale.
import type { Coordination } from './types'

export interface VersionTap {
  coord: Coordination
  /** What a pick at `now` read of version `name`. */
  seen(name: string, version: number, now: number): void
}

/**
 * How fresh a pick's version must be to stand in for a read. On Workers the check follows the
 * request whose pick brought it, milliseconds later; on a busy node some pick is always this
 * recent. Short, because a change made after that pick waits this much longer to be seen.
 */
export const TAP_FRESH_MS = 100

export const withVersionTap = (
  coord: Coordination,
  freshMs: number,
  now: () => number = Date.now,
): VersionTap => {
  const seen = new Map<string, { version: number; at: number }>()
  // A read or a bump is the store's word now: taken as it is, lower or not.
  const set = (name: string, version: number) => seen.set(name, { version, at: now() })
  return {
    seen(name, version, at) {
      const last = seen.get(name)
      if (!last || version > last.version || (version === last.version && at > last.at)) {
        seen.set(name, { version, at })
      }
    },
    coord: {
      ...coord,
      async version(name) {
        const last = seen.get(name)
        const t = now()
        if (last && t >= last.at && t - last.at < freshMs) return last.version
        const v = await coord.version(name)
        set(name, v)
        return v
      },
      async bump(name) {
        const v = await coord.bump(name)
        set(name, v)
        return v
      },
    },
  }
}
