// Keeps every node's config cache current. An admin write bumps the shared config version
// (coordination counter `config`); a node whose loaded version is older reloads. Nodes learn of a
// bump by a change notice where the coordination has them, else by polling `check()`, which the
// jobs tick calls (every TICK_MS on Node; throttled per request on Workers).
import type { Coordination } from '../coord/types'
import { VERSION_CONFIG } from '../coord/types'
import type { ConfigCache } from './cache'

export interface ConfigSync {
  /** Loads the cache and notes the version it reflects (start-up). */
  init(): Promise<void>
  /** After an admin write: bumps the shared version and reloads this node at once. */
  changed(): Promise<void>
  /** Reloads when the shared version has moved past the loaded one; true when it reloaded. */
  check(): Promise<boolean>
  /** The version the cache reflects. */
  loaded(): number
  close(): void
}

export const createConfigSync = (
  cache: ConfigCache,
  coord: Coordination,
  /** After a reload that another node's change caused (e.g. refresh a node-local key pool). */
  onRemoteChange: () => Promise<void> = async () => {},
  /**
   * After the shared version went back: the coordination store lost its state (a Redis that
   * restarted empty), and with it a shared key pool, which must be refilled from the database.
   */
  onLost: () => Promise<void> = async () => {},
): ConfigSync => {
  let loaded = 0
  // The version is read before the load, so `loaded` never claims more than the cache holds.
  const reloadAt = async (version: number) => {
    await cache.reload()
    loaded = Math.max(loaded, version)
  }
  // A started node never leaves the counter at 0, so a counter that reads lower than what this
  // node loaded can only have been lost.
  const current = async () => {
    const v = await coord.version(VERSION_CONFIG)
    return v > 0 ? v : coord.bump(VERSION_CONFIG)
  }
  const check = async () => {
    const v = await coord.version(VERSION_CONFIG)
    if (v === loaded) return false
    if (v < loaded) {
      loaded = 0
      await reloadAt(await current())
      await onLost()
      return true
    }
    await reloadAt(v)
    await onRemoteChange()
    return true
  }
  let unwatch: (() => void) | null = null
  return {
    async init() {
      await reloadAt(await current())
      unwatch =
        coord.watch?.(VERSION_CONFIG, (v) => {
          if (v > loaded)
            void reloadAt(v)
              .then(onRemoteChange)
              .catch(() => {})
        }) ?? null
    },
    async changed() {
      const v = await coord.bump(VERSION_CONFIG)
      // A gap means another node changed something since this one last loaded: its change must
      // not be skipped just because this node's own bump went past it.
      if (v <= loaded) {
        loaded = 0
        await reloadAt(v)
        return onLost()
      }
      const missed = v > loaded + 1
      await reloadAt(v)
      if (missed) await onRemoteChange()
    },
    check,
    loaded: () => loaded,
    close: () => unwatch?.(),
  }
}
