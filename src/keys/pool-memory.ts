// The in-process KeyPool: per group, a circular list of active keys and a min-heap of cooling keys.
// Every method is synchronous inside (no await between read and write), so it is atomic per node.
import { heapPush, heapRemove } from './pool-heap'
import { defaultCooldownMs, type KeyChange, type KeyPool, type KeyState } from './pool'

interface Entry {
  id: number
  hash: string
  /** As stored: sealed when ENCRYPTION_KEY is set, so this pool never holds a plaintext key. */
  stored: string
  state: KeyState
  failures: number
  /** 429s in a row since the last success: how long a default cooldown lasts. */
  streak: number
  /** Cooldown end (epoch ms), meaningful while cooling. */
  until: number
  /** Ring neighbours while active, null otherwise. */
  prev: Entry | null
  next: Entry | null
  /** Position in the cooling heap while cooling, -1 otherwise. */
  hi: number
  /** When a cooldown ended by itself and no report has told of it yet; 0 otherwise. */
  rejoinedAt: number
}

interface GroupPool {
  keys: Map<number, Entry>
  /** The active key whose turn is next; `cursor.prev` is the last one of the current cycle. */
  cursor: Entry | null
  active: number
  /** Min-heap on `until`. */
  cooling: Entry[]
  invalid: number
}

// Ring: a doubly linked circle, so removal keeps everyone else's place in the rotation (an array
// with swap-remove would move the last key ahead of its turn). New and returning keys are linked
// just before the cursor, i.e. at the end of the current cycle, as v1's LPUSH does.
const link = (g: GroupPool, e: Entry): void => {
  const c = g.cursor
  if (c === null) {
    e.prev = e.next = e
    g.cursor = e
  } else {
    const p = c.prev as Entry
    e.prev = p
    e.next = c
    p.next = e
    c.prev = e
  }
  g.active++
}

const unlink = (g: GroupPool, e: Entry): void => {
  if (e.next === e) g.cursor = null
  else {
    ;(e.prev as Entry).next = e.next
    ;(e.next as Entry).prev = e.prev
    if (g.cursor === e) g.cursor = e.next
  }
  e.prev = e.next = null
  g.active--
}

const detach = (g: GroupPool, e: Entry): void => {
  if (e.state === 'active') unlink(g, e)
  else if (e.state === 'cooling') heapRemove(g.cooling, e)
  else g.invalid--
}

const attach = (g: GroupPool, e: Entry, state: KeyState): void => {
  e.state = state
  if (state === 'active') link(g, e)
  else if (state === 'cooling') heapPush(g.cooling, e)
  else g.invalid++
}

const move = (g: GroupPool, e: Entry, state: KeyState): void => {
  detach(g, e)
  attach(g, e, state)
}

/** Re-admits keys whose cooldown has ended; each key pays this once per cooldown. */
const readmit = (g: GroupPool, now: number): void => {
  const h = g.cooling
  while (h.length > 0 && h[0].until <= now) {
    const e = h[0]
    e.rejoinedAt = e.until
    move(g, e, 'active')
  }
}

const toChange = (e: Entry, from: KeyState): KeyChange => {
  const change: KeyChange = {
    id: e.id,
    from,
    to: e.state,
    status: e.state === 'invalid' ? 'invalid' : 'active',
    failure_count: e.failures,
  }
  if (e.state === 'cooling') change.until = e.until
  if (e.rejoinedAt > 0) change.rejoined_at = e.rejoinedAt
  e.rejoinedAt = 0
  return change
}

const newGroup = (): GroupPool => ({
  keys: new Map(),
  cursor: null,
  active: 0,
  cooling: [],
  invalid: 0,
})

export const createMemoryKeyPool = (): KeyPool => {
  const groups = new Map<number, GroupPool>()

  // Methods are async for the interface, but none awaits: each runs to completion before any
  // other call, so concurrent reports cannot lose updates.
  return {
    async add(groupId, rows) {
      let g = groups.get(groupId)
      if (!g) groups.set(groupId, (g = newGroup()))
      for (const r of rows) {
        const e = g.keys.get(r.id)
        // A disabled key never joins the pool; one already in it leaves.
        if (r.enabled === false) {
          if (e !== undefined) {
            detach(g, e)
            g.keys.delete(r.id)
          }
          continue
        }
        if (e === undefined) {
          const n: Entry = {
            id: r.id,
            hash: r.key_hash,
            stored: r.key_value,
            state: 'active',
            failures: r.failure_count,
            streak: 0,
            until: 0,
            prev: null,
            next: null,
            hi: -1,
            rejoinedAt: 0,
          }
          g.keys.set(r.id, n)
          attach(g, n, r.status === 'invalid' ? 'invalid' : 'active')
          continue
        }
        // Re-adding never undoes health (a node starting next to a running one re-adds every
        // key): failures only grow, a cooldown stays, and only restore() brings a key back.
        e.hash = r.key_hash
        e.stored = r.key_value
        e.failures = Math.max(e.failures, r.failure_count)
        if (r.status === 'invalid' && e.state !== 'invalid') move(g, e, 'invalid')
      }
    },

    async remove(groupId, ids) {
      const g = groups.get(groupId)
      if (!g) return
      for (const id of ids) {
        const e = g.keys.get(id)
        if (e === undefined) continue
        detach(g, e)
        g.keys.delete(id)
      }
      if (g.keys.size === 0) groups.delete(groupId)
    },

    async clearGroup(groupId) {
      groups.delete(groupId)
    },

    async retain(groupId, keep) {
      const g = groups.get(groupId)
      if (!g) return
      for (const [id, e] of g.keys) {
        if (keep.has(id)) continue
        detach(g, e)
        g.keys.delete(id)
      }
      if (g.keys.size === 0) groups.delete(groupId)
    },

    async pick(groupId, now, exclude) {
      const g = groups.get(groupId)
      if (!g) return null
      readmit(g, now)
      const first = g.cursor
      if (first === null) return null
      let e = first
      if (exclude !== undefined && exclude.size > 0) {
        // Among exclude.size + 1 distinct keys at least one is not excluded, so this is bounded.
        let steps = Math.min(exclude.size, g.active - 1)
        while (steps-- > 0 && exclude.has(e.id)) e = e.next as Entry
        // Every usable key is excluded: reuse is allowed, so take the one whose turn it is.
        if (exclude.has(e.id)) e = first
      }
      g.cursor = e.next
      const picked = { id: e.id, hash: e.hash, stored: e.stored, failures: e.failures }
      return e.rejoinedAt > 0 ? { ...picked, rejoined: true } : picked
    },

    async report(groupId, keyId, outcome, policy, now) {
      const g = groups.get(groupId)
      const e = g?.keys.get(keyId)
      if (g === undefined || e === undefined) return null
      readmit(g, now)
      if (e.state === 'invalid') return null
      const from = e.state
      if (outcome.kind === 'success') {
        e.streak = 0
        // A normal success changes nothing that is persisted, so it costs no write.
        if (e.failures === 0 && e.rejoinedAt === 0) return null
        e.failures = 0
      } else if (outcome.kind === 'auth_failure') {
        e.failures++
        const t = policy.blacklistThreshold
        if (t > 0 && e.failures >= t) move(g, e, 'invalid')
      } else {
        // Concurrent 429s of one cooldown count once.
        if (from !== 'cooling') e.streak++
        const named = outcome.until
        // A 429 that names no reset, during a cooldown, is one of the same burst: it adds nothing.
        const until =
          named === null
            ? from === 'cooling'
              ? e.until
              : now + defaultCooldownMs(e.streak)
            : Number.isFinite(named)
              ? named
              : now
        // Concurrent 429s may disagree on the end; the later one wins.
        const end = from === 'cooling' ? Math.max(e.until, until) : until
        detach(g, e)
        e.until = end
        attach(g, e, 'cooling')
      }
      return toChange(e, from)
    },

    async restore(groupId, ids) {
      const g = groups.get(groupId)
      if (!g) return []
      const changed: number[] = []
      for (const id of ids) {
        const e = g.keys.get(id)
        if (e === undefined) continue
        e.failures = 0
        if (e.state === 'active') continue
        move(g, e, 'active')
        changed.push(id)
      }
      return changed
    },

    async invalidIds(groupId) {
      const g = groups.get(groupId)
      if (!g || g.invalid === 0) return []
      const ids: number[] = []
      for (const e of g.keys.values()) if (e.state === 'invalid') ids.push(e.id)
      return ids
    },

    async earliestReset(groupId, now) {
      const g = groups.get(groupId)
      if (!g) return null
      readmit(g, now)
      return g.cooling.length > 0 ? g.cooling[0].until : null
    },

    async counts(groupId, now) {
      const g = groups.get(groupId)
      if (!g) return { active: 0, cooling: 0, invalid: 0 }
      readmit(g, now)
      return { active: g.active, cooling: g.cooling.length, invalid: g.invalid }
    },
  }
}
