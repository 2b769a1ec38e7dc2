// Which member of an aggregate the next attempt goes to (issue 11 §6): the highest priority
// that still has a member with attempts left; within it, by smooth WRR, a member not yet tried
// first, then one that may go now, then one waiting out a short Retry-After.
import type { AggregateMember, AggregateTier } from '../config/cache'
import { retryAfterAt } from '../channels/rate-limit'
import type { Failure } from './attempt'

/** The longest upstream `Retry-After` the gateway waits out before retrying the same member. */
export const RETRY_AFTER_MAX_MS = 5000
/** Repeated waits on one member grow from this, doubling, up to RETRY_AFTER_MAX_MS. */
const BACKOFF_MS = 250

interface MemberState {
  attempts: number
  /** No more attempts in this request: no key left, a failover rule, or a long Retry-After. */
  done: boolean
  /** Not before this instant (ms): a Retry-After the upstream sent. */
  notBefore: number
  waits: number
  /** The upstream asked for a retry after a wait: a key tried already may be used again. */
  reuse: boolean
}

export interface MemberChoice {
  /** The next member and when it may be called; null when every member is spent. */
  next(now: number): { member: AggregateMember; at: number } | null
  /** Whether the member's next attempt may reuse a key this request tried. */
  mayReuse(member: AggregateMember): boolean
  /** The member gets no more attempts in this request. */
  drop(member: AggregateMember): void
  /** A dropped member may be tried again (a cooling key came back). */
  revive(member: AggregateMember): void
  /** Counts a failed attempt and reads what it asks for: another member, or a wait. */
  failed(member: AggregateMember, failure: Failure, now: number): void
}

export const createMemberChoice = (tiers: AggregateTier[], budget: number): MemberChoice => {
  const states = new Map<number, MemberState>()
  const of = (m: AggregateMember) => {
    let s = states.get(m.entry.group.id)
    if (!s) {
      s = { attempts: 0, done: false, notBefore: 0, waits: 0, reuse: false }
      states.set(m.entry.group.id, s)
    }
    return s
  }
  const open = (m: AggregateMember) => {
    const s = of(m)
    return !s.done && s.attempts < budget
  }

  return {
    next(now) {
      for (const tier of tiers) {
        const live = tier.members.filter(open)
        if (live.length === 0) continue
        const fresh = live.some((m) => of(m).attempts === 0)
        const ready = live.some((m) => of(m).notBefore <= now)
        const member = tier.picker.next((m) => {
          if (!open(m)) return true
          const s = of(m)
          return fresh ? s.attempts > 0 : ready && s.notBefore > now
        })
        if (member) return { member, at: of(member).notBefore }
      }
      return null
    },
    mayReuse: (m) => of(m).reuse,
    drop(m) {
      of(m).done = true
    },
    revive(m) {
      of(m).done = false
    },
    failed(m, failure, now) {
      const s = of(m)
      s.attempts++
      s.reuse = false
      if (failure.moveOn) {
        s.done = true
        return
      }
      // Only an upstream's answer names a Retry-After; the gateway's own failures do not.
      const at = failure.error ? null : retryAfterAt(new Headers(failure.headers), now)
      if (at === null) return
      const backoff = s.waits === 0 ? 0 : BACKOFF_MS * 2 ** (s.waits - 1)
      const wait = Math.max(at - now, backoff)
      // Asked to stay away longer than the gateway waits: the other members go on.
      if (at - now > RETRY_AFTER_MAX_MS) {
        s.done = true
        return
      }
      s.notBefore = now + Math.min(wait, RETRY_AFTER_MAX_MS)
      s.waits++
      s.reuse = true
    },
  }
}
