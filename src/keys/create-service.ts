// The KeyService (src/keys/service.ts): parses key lists and applies every key change to the store and
// the key pool together. Health changes from the proxy are coalesced and written off the hot path.
import type { Deps } from '../deps'
import { badRequest } from '../errors'
import type { KeyService, RestoredBy } from './service'
import { keyProblem, showKey } from './syntax'
import { createKeyWrites } from './writes'
import { createPacer } from './pace'
import { createKeyOpening } from './open'
import { createKeyOpener } from '../secrets/opener'
import type { KeySecrets } from '../secrets/seal'
import type { KeyEventState } from '../store/types'

export const MAX_KEY_LENGTH = 1000
const LOAD_BATCH = 10_000
// Imports run in slices so a 100k-key import never holds the event loop for long: hashing all
// keys at once stalled it for ~1.6 s, and one store insert of 100k rows for several seconds.
const ADD_SLICE = 1000
const HASH_SLICE = 250
// History events waiting for the store; past this (a store down for long) the oldest are dropped.

/** JSON array of strings, or text split on whitespace, `,` or `;` (v1's ParseKeysFromText). */
export const parseKeys = (text: string): string[] => {
  const trimmed = text.trim()
  let raw: unknown[] | null = null
  if (trimmed.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(trimmed)
      if (Array.isArray(parsed) && parsed.every((k) => typeof k === 'string')) raw = parsed
    } catch {
      // Not JSON after all: fall through to plain splitting, as v1 does.
    }
  }
  const parts = raw ?? trimmed.split(/[\s,;]+/)
  const seen = new Set<string>()
  for (const p of parts) {
    const k = (p as string).trim()
    if (!k) continue
    if (k.length > MAX_KEY_LENGTH) {
      throw badRequest(`keys_text: keys must be at most ${MAX_KEY_LENGTH} characters`)
    }
    seen.add(k)
  }
  return [...seen]
}

export const createKeyService = (
  deps: Deps,
  secrets: KeySecrets,
  lastProxied: () => number = () => 0,
): KeyService => {
  const { store, pool } = deps

  const hashAll = async (keys: string[]): Promise<string[]> => {
    const out: string[] = []
    for (let i = 0; i < keys.length; i += HASH_SLICE) {
      out.push(...(await Promise.all(keys.slice(i, i + HASH_SLICE).map(secrets.hash))))
    }
    return out
  }

  const { queueEvents, eventsOf, queueHealth, schedule, flush } = createKeyWrites(deps)
  const UNDONE = 'restored: the failures were an upstream incident, not the key'
  const { pick, open, openRows } = createKeyOpening(deps, secrets, createKeyOpener(secrets))

  const total = async (groupId: number) => (await store.countKeys(groupId)).total
  // Bumped by every import slice, so a pool refresh running alongside knows its view is stale.
  let localAdds = 0

  const setEnabledByIds = async (groupId: number, ids: number[], enabled: boolean) => {
    if (ids.length === 0) return 0
    // Pending health writes first, so an enabled key comes back with its current failure count.
    await flush()
    const changed = await store.setKeysEnabled(groupId, ids, enabled)
    if (changed.length === 0) return 0
    // The rows carry `enabled`, so pool.add re-adds the enabled ones and drops the disabled ones.
    await pool.add(groupId, changed)
    // Disabling keeps the stored status, which is the state before; enabling makes keys active.
    queueEvents(
      changed.flatMap((r) =>
        enabled
          ? eventsOf(groupId, [r.id], 'disabled', 'active', 'enabled')
          : eventsOf(groupId, [r.id], r.status, 'disabled', 'disabled'),
      ),
    )
    schedule()
    return changed.length
  }

  /** Restores in the store, then the pool; `from` is null when the state before is unknown. */
  const restoreIds = async (
    groupId: number,
    ids: number[] | 'all-invalid',
    by: RestoredBy,
    from: KeyEventState | null,
  ) => {
    const changed =
      ids === 'all-invalid' || ids.length > 0 ? await store.restoreKeys(groupId, ids) : []
    if (changed.length === 0) return changed
    // The pool knows which keys really left cooling or invalid; a mere failure-count reset is
    // no transition and stays out of the history.
    const moved = await pool.restore(groupId, changed)
    if (moved.length > 0) {
      queueEvents(eventsOf(groupId, moved, from, 'active', `restored by ${by}`))
      schedule()
    }
    return changed
  }

  return {
    parse: parseKeys,

    async add(groupId, keys) {
      // The routes name the bad line first; this keeps any other caller from storing one.
      for (const k of keys) {
        const problem = keyProblem(k)
        if (problem) throw badRequest(`keys: key ${showKey(k)} ${problem}`)
      }
      // Slice by slice, each in the store and then the pool, so a slice is usable once written.
      let added = 0
      const pacer = createPacer(deps.now, lastProxied)
      const hashSlice = (i: number) => {
        const p = hashAll(keys.slice(i, i + ADD_SLICE))
        p.catch(() => {}) // awaited below; this only keeps an abandoned one from crashing
        return p
      }
      // The next slice hashes (WebCrypto runs digests off the main thread where it can) while
      // this one is written, which SQLite drivers may do synchronously.
      let next = hashSlice(0)
      for (let i = 0; i < keys.length; i += ADD_SLICE) {
        const began = deps.now()
        const slice = keys.slice(i, i + ADD_SLICE)
        const hashes = await next
        if (i + ADD_SLICE < keys.length) next = hashSlice(i + ADD_SLICE)
        const rows = await store.addKeys(
          groupId,
          slice.map((key_value, j) => ({ key_value, key_hash: hashes[j] })),
        )
        localAdds++
        if (rows.length > 0) await pool.add(groupId, rows)
        // SQLite drivers may run the insert synchronously: give proxied requests their share.
        await pacer.after(began)
        added += rows.length
      }
      return { count: added, ignored: keys.length - added, total_in_group: await total(groupId) }
    },

    async delete(groupId, keys) {
      const ids = await store.findKeyIds(groupId, await hashAll(keys))
      const deleted = ids.length > 0 ? await store.deleteKeys(groupId, ids) : 0
      if (ids.length > 0) await pool.remove(groupId, ids)
      return {
        count: deleted,
        ignored: keys.length - deleted,
        total_in_group: await total(groupId),
      }
    },

    async restore(groupId, keys) {
      // Pending writes first, so the store's view of which keys are invalid is current.
      await flush()
      const ids = await store.findKeyIds(groupId, await hashAll(keys), 'invalid')
      const changed = await restoreIds(groupId, ids, 'admin', 'invalid')
      return {
        count: changed.length,
        ignored: keys.length - changed.length,
        total_in_group: await total(groupId),
      }
    },

    async restoreAllInvalid(groupId) {
      await flush()
      return (await restoreIds(groupId, 'all-invalid', 'admin', 'invalid')).length
    },

    async clear(groupId, status) {
      await flush()
      const ids = await store.clearKeys(groupId, status)
      if (ids.length > 0) await pool.remove(groupId, ids)
      return ids.length
    },

    async setEnabled(groupId, keys, enabled) {
      const ids = await store.findKeyIds(groupId, await hashAll(keys))
      const count = await setEnabledByIds(groupId, ids, enabled)
      return { count, ignored: keys.length - count, total_in_group: await total(groupId) }
    },

    setEnabledByIds,

    async loadPool(groupIds) {
      for (const groupId of groupIds) {
        const seen = new Set<number>()
        const addsBefore = localAdds
        let afterId = 0
        for (;;) {
          const rows = await store.loadKeys(groupId, afterId, LOAD_BATCH)
          if (rows.length === 0) break
          // Disabled rows go too: pool.add drops a key that was disabled elsewhere.
          await pool.add(groupId, rows)
          for (const r of rows) seen.add(r.id)
          if (rows.length < LOAD_BATCH) break
          afterId = rows[rows.length - 1].id
        }
        // Keys deleted elsewhere leave a node-local pool. A shared pool is kept in step by whoever
        // deletes; and a key this node added meanwhile may be missing from `seen`, so skip then.
        if (!pool.shared && localAdds === addsBefore) await pool.retain(groupId, seen)
      }
    },

    restoreIds: (groupId, ids, by, from = null) => restoreIds(groupId, ids, by, from),

    async report(groupId, keyId, outcome, policy, cause) {
      const change = await pool.report(groupId, keyId, outcome, policy, deps.now())
      if (!change) return
      if (change.rejoined_at !== undefined) {
        queueEvents(
          eventsOf(
            groupId,
            [change.id],
            'cooling',
            'active',
            'cooldown ended',
            0,
            change.rejoined_at,
          ),
        )
      }
      const { status = 0, message = '' } = cause ?? {}
      if (change.from !== change.to) {
        queueEvents(eventsOf(groupId, [change.id], change.from, change.to, message, status))
      } else if (change.model !== undefined && change.began) {
        // The key stays active for other models, so this is no transition; the history still
        // tells of the cooldown and when it ends.
        const until = new Date(change.until ?? 0).toISOString()
        const text = `cooling for ${change.model} until ${until}: ${message}`
        queueEvents(eventsOf(groupId, [change.id], change.from, change.to, text, status))
      }
      // A cooldown is pool-only state: a 429 never changes the stored status or failure count.
      // (The success that reports a cooldown's end writes the same values again, once.)
      if (outcome.kind !== 'rate_limited') {
        queueHealth({ id: change.id, status: change.status, failure_count: change.failure_count })
      }
      schedule()
    },

    async undoPenalties(list) {
      const byGroup = new Map<number, number[]>()
      for (const { groupId, keyId } of list) {
        const ids = byGroup.get(groupId)
        if (ids) ids.push(keyId)
        else byGroup.set(groupId, [keyId])
      }
      for (const [groupId, ids] of byGroup) {
        const moved = await pool.restore(groupId, ids)
        // Through the write queue, where the latest change per key wins, so a penalty still
        // queued cannot land after its undo.
        for (const id of ids) queueHealth({ id, status: 'active', failure_count: 0 })
        if (moved.length > 0) {
          queueEvents(eventsOf(groupId, moved, null, 'active', UNDONE))
        }
      }
      schedule()
    },

    async claimProbe(groupId, policy) {
      const p = await pool.claimKeyProbe(groupId, deps.now(), policy)
      if (p === null) return null
      const opened = await open(groupId, p)
      if (opened === null) await pool.keyProbeDone(groupId, p.id, null, deps.now())
      return opened
    },

    async probeDone(groupId, keyId, ok) {
      const change = await pool.keyProbeDone(groupId, keyId, ok, deps.now())
      if (!change) return
      queueHealth({ id: change.id, status: change.status, failure_count: change.failure_count })
      queueEvents(eventsOf(groupId, [change.id], 'invalid', 'active', 'restored by a live probe'))
      schedule()
    },

    pick,
    openRows,
    flush,
    retryWrites: () => schedule(),
  }
}
