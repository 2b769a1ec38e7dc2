// The memory pool's per-group state and the moves between states: a ring of active keys (a
// doubly linked circle), a min-heap of cooling keys, the invalid ones with their probe times, and
// the per-model marks. Used only by pool-memory.ts.
import { heapPush, heapRemove } from './pool-heap'
import { rankFor, RANK_BLOCKED, type Marks } from './pool-marks'
import {
  defaultCooldownMs,
  MAX_PROBE_WAIT_MS,
  type KeyChange,
  type KeyState,
  type ProbePolicy,
} from './pool'

export interface Entry {
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

export interface GroupPool {
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
  /** The probe interval that probeCheckAt was found under: another one makes it moot. */
  probeCheckMs: number
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

export const detach = (g: GroupPool, e: Entry): void => {
  if (e.state === 'active') unlink(g, e)
  else if (e.state === 'cooling') heapRemove(g.cooling, e)
  else g.invalid--
}

export const attach = (g: GroupPool, e: Entry, state: KeyState, now = 0): void => {
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

export const move = (g: GroupPool, e: Entry, state: KeyState, now = 0): void => {
  detach(g, e)
  attach(g, e, state, now)
}

/** When an invalid key's next probe is due under `policy`. */
export const probeDue = (e: Entry, policy: ProbePolicy): number =>
  e.probedAt + Math.min(policy.intervalMs * 2 ** e.probeFails, MAX_PROBE_WAIT_MS)

/** Re-admits keys whose cooldown has ended; each key pays this once per cooldown. */
export const readmit = (g: GroupPool, now: number): void => {
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
export const cooldownEnd = (
  named: number | null,
  running: number | undefined,
  streak: number,
  now: number,
): number => {
  if (named !== null) return Number.isFinite(named) ? named : now
  return running ?? now + defaultCooldownMs(streak)
}

export const toChange = (e: Entry, from: KeyState): KeyChange => {
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

export const newGroup = (): GroupPool => ({
  keys: new Map(),
  cursor: null,
  active: 0,
  cooling: [],
  invalid: 0,
  marks: new Map(),
  probeCheckAt: 0,
  probeCheckMs: 0,
  probeMinute: 0,
  probesInMinute: 0,
})

/**
 * The pick when marks or exclusions apply: the first key in turn that is neither depleted nor
 * tried, else the best seen. The walk ends after one step per marked or excluded key, since among
 * that many + 1 keys one is unmarked; so it is O(marks), and O(1) for a group with none.
 */
export const pickMarked = (
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
