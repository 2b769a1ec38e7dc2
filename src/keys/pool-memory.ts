// The in-process KeyPool: per group, a circular list of active keys and a min-heap of cooling keys.
// Every method is synchronous inside (no await between read and write), so it is atomic per node.
import { heapPush, heapRemove } from './pool-heap'
import { createMemoryRoutes } from './routes-memory'
import {
  dropMarks,
  extendMark,
  liveMark,
  marksOf,
  rankFor,
  RANK_BLOCKED,
  type Marks,
} from './pool-marks'
import {
  defaultCooldownMs,
  MAX_PROBE_WAIT_MS,
  type KeyChange,
  type KeyPool,
  type KeyState,
  type ProbePolicy,
} from './pool'

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
  /** While invalid: when it became so, or when its last probe failed (epoch ms). */
  probedAt: number
  /** While invalid: failed probes in a row, and whether one is in flight. */
  probeFails: number
  probing: boolean
}

interface GroupPool {
  keys: Map<number, Entry>
  /** The active key whose turn is next; `cursor.prev` is the last one of the current cycle. */
  cursor: Entry | null
  active: number
  /** Min-heap on `until`. */
  cooling: Entry[]
  invalid: number
  /** Per-model cooldowns and depletion marks (pool-marks.ts). */
  marks: Marks
  /** Key probes: none is due before this (a scan sets it); probes started this minute. */
  probeCheckAt: number
  probeMinute: number
  probesInMinute: number
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

const attach = (g: GroupPool, e: Entry, state: KeyState, now = 0): void => {
  e.state = state
  if (state === 'active') link(g, e)
  else if (state === 'cooling') heapPush(g.cooling, e)
  else {
    g.invalid++
    e.probedAt = now
    e.probeFails = 0
    e.probing = false
    g.probeCheckAt = 0
  }
}

const move = (g: GroupPool, e: Entry, state: KeyState, now = 0): void => {
  detach(g, e)
  attach(g, e, state, now)
}

/** When an invalid key's next probe is due under `policy`. */
const probeDue = (e: Entry, policy: ProbePolicy): number =>
  e.probedAt + Math.min(policy.intervalMs * 2 ** e.probeFails, MAX_PROBE_WAIT_MS)

/** Re-admits keys whose cooldown has ended; each key pays this once per cooldown. */
const readmit = (g: GroupPool, now: number): void => {
  const h = g.cooling
  while (h.length > 0 && h[0].until <= now) {
    const e = h[0]
    e.rejoinedAt = e.until
    move(g, e, 'active')
  }
}

/**
 * When a 429's cooldown ends: the provider's word; else, during a running cooldown, that one (a
 * burst adds nothing); else the default for the streak.
 */
const cooldownEnd = (
  named: number | null,
  running: number | undefined,
  streak: number,
  now: number,
): number => {
  if (named !== null) return Number.isFinite(named) ? named : now
  return running ?? now + defaultCooldownMs(streak)
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
  marks: new Map(),
  probeCheckAt: 0,
  probeMinute: 0,
  probesInMinute: 0,
})

/**
 * The pick when marks or exclusions apply: the first key in turn that is neither depleted nor
 * tried, else the best seen. The walk ends after one step per marked or excluded key, since among
 * that many + 1 keys one is unmarked; so it is O(marks), and O(1) for a group with none.
 */
const pickMarked = (
  g: GroupPool,
  first: Entry,
  now: number,
  exclude: ReadonlySet<number> | undefined,
  model: string,
): Entry | null => {
  const forModel = g.marks.get(model)
  const wide = model === '' ? undefined : g.marks.get('')
  const marked =
    (forModel ? forModel.hard.size + forModel.soft.size : 0) + (wide ? wide.soft.size : 0)
  let steps = Math.min((exclude?.size ?? 0) + marked, g.active - 1)
  let best: Entry | null = null
  let bestRank = RANK_BLOCKED
  for (let e = first; ; e = e.next as Entry) {
    const rank = rankFor(forModel, wide, e.id, exclude?.has(e.id) === true, now)
    if (rank === 0) return e
    if (rank < bestRank) {
      best = e
      bestRank = rank
    }
    if (steps-- <= 0) return best
  }
}

export const createMemoryKeyPool = (): KeyPool => {
  const groups = new Map<number, GroupPool>()

  // Methods are async for the interface, but none awaits: each runs to completion before any
  // other call, so concurrent reports cannot lose updates.
  return {
    ...createMemoryRoutes(),

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
            probedAt: 0,
            probeFails: 0,
            probing: false,
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
        dropMarks(g.marks, id)
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
        dropMarks(g.marks, id)
      }
      if (g.keys.size === 0) groups.delete(groupId)
    },

    async pick(groupId, now, exclude, model = '') {
      const g = groups.get(groupId)
      if (!g) return null
      readmit(g, now)
      const first = g.cursor
      if (first === null) return null
      const plain = g.marks.size === 0 && (exclude === undefined || exclude.size === 0)
      const e = plain ? first : pickMarked(g, first, now, exclude, model)
      if (e === null) return null
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
        const d = outcome.depleted
        if (d) extendMark(marksOf(g.marks, d.model ?? '').soft, e.id, d.until, now)
        e.streak = 0
        // A normal success changes nothing that is persisted, so it costs no write.
        if (e.failures === 0 && e.rejoinedAt === 0) return null
        e.failures = 0
      } else if (outcome.kind === 'auth_failure') {
        e.failures++
        const t = policy.blacklistThreshold
        if (t > 0 && e.failures >= t) move(g, e, 'invalid', now)
      } else if (outcome.model) {
        // The provider's limit is per model: only this model waits, the key stays in rotation.
        const hard = marksOf(g.marks, outcome.model).hard
        const running = liveMark(hard, e.id, now)
        if (running === undefined) e.streak++
        const end = extendMark(hard, e.id, cooldownEnd(outcome.until, running, e.streak, now), now)
        const began = running === undefined
        return { ...toChange(e, from), until: end, model: outcome.model, began }
      } else {
        // Concurrent 429s of one cooldown count once.
        if (from !== 'cooling') e.streak++
        const running = from === 'cooling' ? e.until : undefined
        const until = cooldownEnd(outcome.until, running, e.streak, now)
        // Concurrent 429s may disagree on the end; the later one wins.
        const end = running === undefined ? until : Math.max(running, until)
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
        dropMarks(g.marks, id)
        if (e.state === 'active') continue
        move(g, e, 'active')
        changed.push(id)
      }
      return changed
    },

    async claimKeyProbe(groupId, now, policy) {
      const g = groups.get(groupId)
      if (!g || g.invalid === 0 || policy.intervalMs <= 0 || now < g.probeCheckAt) return null
      const minute = Math.floor(now / 60_000)
      if (minute !== g.probeMinute) {
        g.probeMinute = minute
        g.probesInMinute = 0
      }
      if (g.probesInMinute >= policy.perMinute) return null
      // A scan, but only when a probe may be due: it leaves the time of the next one behind.
      let best: Entry | null = null
      let next = Infinity
      for (const e of g.keys.values()) {
        if (e.state !== 'invalid' || e.probing) continue
        const due = probeDue(e, policy)
        if (due <= now && (best === null || due < probeDue(best, policy))) best = e
        else if (due > now) next = Math.min(next, due)
      }
      if (best === null) {
        g.probeCheckAt = next
        return null
      }
      best.probing = true
      g.probesInMinute++
      return { id: best.id, hash: best.hash, stored: best.stored, failures: best.failures }
    },

    async keyProbeDone(groupId, keyId, ok, now) {
      const g = groups.get(groupId)
      const e = g?.keys.get(keyId)
      if (g === undefined || e === undefined || e.state !== 'invalid' || !e.probing) return null
      e.probing = false
      g.probeCheckAt = 0
      if (ok === null) return null
      if (!ok) {
        e.probeFails++
        e.probedAt = now
        return null
      }
      e.failures = 0
      move(g, e, 'active')
      return toChange(e, 'invalid')
    },

    async invalidIds(groupId) {
      const g = groups.get(groupId)
      if (!g || g.invalid === 0) return []
      const ids: number[] = []
      for (const e of g.keys.values()) if (e.state === 'invalid') ids.push(e.id)
      return ids
    },

    async earliestReset(groupId, now, model = '') {
      const g = groups.get(groupId)
      if (!g) return null
      readmit(g, now)
      const hard = model === '' ? undefined : g.marks.get(model)?.hard
      if (hard === undefined || hard.size === 0) {
        return g.cooling.length > 0 ? g.cooling[0].until : null
      }
      // A key cooling both for the model and as a whole is back at the later end. This runs only
      // when no key was usable, so a walk over the cooling keys is fine here.
      let first: number | null = null
      const consider = (at: number) => (first = first === null ? at : Math.min(first, at))
      for (const e of g.cooling) consider(Math.max(e.until, liveMark(hard, e.id, now) ?? 0))
      for (const [id] of hard) {
        const at = liveMark(hard, id, now)
        if (at !== undefined && g.keys.get(id)?.state === 'active') consider(at)
      }
      return first
    },

    async counts(groupId, now) {
      const g = groups.get(groupId)
      if (!g) return { active: 0, cooling: 0, invalid: 0 }
      readmit(g, now)
      return { active: g.active, cooling: g.cooling.length, invalid: g.invalid }
    },
  }
}
