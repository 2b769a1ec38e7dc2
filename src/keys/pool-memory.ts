// The in-process KeyPool: per group, a circular list of active keys and a min-heap of cooling keys
// (pool-group.ts). Every method is synchronous inside (no await between read and write), so it is
// atomic per node.
import {
  attach,
  cooldownEnd,
  detach,
  type Entry,
  type GroupPool,
  move,
  newGroup,
  pickMarked,
  probeDue,
  readmit,
  toChange,
} from './pool-group'
import { createMemoryRoutes } from './routes-memory'
import { dropMarks, extendMark, liveMark, marksOf } from './pool-marks'
import type { KeyPool } from './pool'

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
            dropMarks(g.marks, r.id)
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
      if (!g || g.invalid === 0 || policy.intervalMs <= 0) return null
      if (now < g.probeCheckAt && policy.intervalMs === g.probeCheckMs) return null
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
        // Among keys due at once (those loaded invalid all are), the lowest id goes first.
        const bestDue = best === null ? Infinity : probeDue(best, policy)
        if (due <= now && (due < bestDue || (due === bestDue && e.id < (best as Entry).id))) {
          best = e
        } else if (due > now) next = Math.min(next, due)
      }
      if (best === null) {
        g.probeCheckAt = next
        g.probeCheckMs = policy.intervalMs
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
