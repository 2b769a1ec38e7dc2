// Coordination in one process: maps and plain code. Nothing awaits between a read and its write,
// so every operation is atomic among the callers of this instance (nodes sharing it in tests).
import type { Coordination, Lease } from './types'

export const createMemoryCoordination = (now: () => number = Date.now): Coordination => {
  const leases = new Map<string, Lease>()
  const versions = new Map<string, number>()
  const listeners = new Map<string, Set<(v: number) => void>>()

  const live = (name: string): Lease | null => {
    const l = leases.get(name)
    return l && l.until > now() ? l : null
  }

  return {
    async acquire(name, owner, ttlMs) {
      const l = live(name)
      if (l && l.owner !== owner) return false
      leases.set(name, { owner, until: now() + ttlMs })
      return true
    },
    async renew(name, owner, ttlMs) {
      if (live(name)?.owner !== owner) return false
      leases.set(name, { owner, until: now() + ttlMs })
      return true
    },
    async release(name, owner) {
      if (live(name)?.owner !== owner) return false
      leases.delete(name)
      return true
    },
    async holder(name) {
      const l = live(name)
      return l ? { ...l } : null
    },
    async version(name) {
      return versions.get(name) ?? 0
    },
    async bump(name) {
      const v = (versions.get(name) ?? 0) + 1
      versions.set(name, v)
      listeners.get(name)?.forEach((fn) => fn(v))
      return v
    },
    watch(name, listener) {
      let set = listeners.get(name)
      if (!set) listeners.set(name, (set = new Set()))
      set.add(listener)
      return () => set.delete(listener)
    },
  }
}
