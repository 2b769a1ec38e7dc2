// The deadlines of one streamed answer (issue 11 §5): the first byte, while the client has had
// nothing and another key can still answer; the silence between chunks; and the tail that ends a
// broken stream so no SDK takes a truncated answer for a whole one.
import type { BodyEnd, BodyHooks, BodyTail } from '../deps'

/** How the wait for the first byte ended. */
export type FirstByte = { kind: 'chunk' } | { kind: 'timeout' } | { kind: 'end'; end: BodyEnd }

export interface GuardPlan {
  /** Stops the upstream call; its body then ends through `end`. */
  cut: () => void
  /** 0: no deadline for the first byte. */
  firstByteMs: number
  /** Wait for the first byte even without a deadline (heartbeats are sent meanwhile). */
  holdFirst: boolean
  /** 0: silence never ends the stream. */
  idleMs: number
  /** The tail of a stream that ends abnormally: 504 after silence, 502 when the upstream broke. */
  tail: (why: string, status: 502 | 504) => BodyTail
  /** Once, when a stream the client has ends: `why` is null when it ended well. */
  onEnd: (end: BodyEnd, why: string | null) => void
}

type State = 'unarmed' | 'waiting' | 'live' | 'over'

export class StreamGuard implements BodyHooks {
  private state: State = 'unarmed'
  private plan: GuardPlan | null = null
  private seen = false
  private lastAt = 0
  private last: Uint8Array | null = null
  /** An end that came before `start` (a short body can end in the tick its headers came). */
  private early: BodyEnd | null = null
  private reason: string | null = null
  private idled = false
  private timer: ReturnType<typeof setTimeout> | null = null
  private waiter: ((r: FirstByte) => void) | null = null

  constructor(private readonly now: () => number) {}

  // The per-chunk cost: a clock read and two field writes. One timer re-arms itself from lastAt.
  chunk(c: Uint8Array) {
    this.lastAt = this.now()
    this.last = c
    if (!this.seen) this.firstChunk()
  }

  /**
   * Arms the guard once the answer is known to be a stream. Returns the wait for the first byte,
   * or null when there is none and the stream is the client's now.
   */
  start(plan: GuardPlan): Promise<FirstByte> | null {
    this.plan = plan
    if (this.early) {
      const end = this.early
      this.state = 'over'
      if (!this.seen && (plan.firstByteMs > 0 || plan.holdFirst)) {
        return Promise.resolve({ kind: 'end', end })
      }
      plan.onEnd(end, end.how === 'error' ? cutMessage(end) : null)
      return null
    }
    const wait = plan.firstByteMs > 0 || plan.holdFirst
    if (this.seen || !wait) {
      this.state = 'live'
      if (this.seen) this.watchIdle()
      return null
    }
    this.state = 'waiting'
    if (plan.firstByteMs > 0) this.timer = setTimeout(this.firstByteLate, plan.firstByteMs)
    return new Promise((resolve) => (this.waiter = resolve))
  }

  end(e: BodyEnd): BodyTail {
    const state = this.state
    if (state === 'over') return null
    this.stopTimer()
    if (state === 'unarmed') {
      this.early = e
      return null
    }
    this.state = 'over'
    if (state === 'waiting') {
      this.settle({ kind: 'end', end: e })
      return null
    }
    const plan = this.plan!
    const why = this.reason ?? (e.how === 'error' ? cutMessage(e) : null)
    plan.onEnd(e, why)
    if (!why || e.how === 'aborted') return null
    const tail = plan.tail(why, this.idled ? 504 : 502)
    if (!(tail instanceof Uint8Array)) return tail
    // A cut mid-event: end that event first, so the error event parses on its own.
    const close = eventCloser(this.last)
    return close ? concat(close, tail) : tail
  }

  private firstChunk() {
    this.seen = true
    if (this.state === 'waiting') {
      this.stopTimer()
      this.state = 'live'
      this.settle({ kind: 'chunk' })
    }
    // Silence counts from the first byte; before it, only first_byte_timeout applies.
    if (this.state === 'live') this.watchIdle()
  }

  private firstByteLate = () => {
    if (this.state !== 'waiting') return
    this.state = 'over'
    this.settle({ kind: 'timeout' })
    this.plan!.cut()
  }

  private watchIdle() {
    if (this.plan!.idleMs > 0) this.timer = setTimeout(this.checkIdle, this.plan!.idleMs)
  }

  private checkIdle = () => {
    if (this.state !== 'live') return
    const { idleMs } = this.plan!
    const quiet = this.now() - this.lastAt
    if (quiet < idleMs) {
      this.timer = setTimeout(this.checkIdle, idleMs - quiet)
      return
    }
    this.reason = `stream idle for ${idleMs / 1000} s`
    this.idled = true
    this.plan!.cut()
  }

  private stopTimer() {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
  }

  private settle(r: FirstByte) {
    const w = this.waiter
    this.waiter = null
    w?.(r)
  }
}

export const cutMessage = (e: BodyEnd) => `upstream cut the stream: ${e.error ?? 'unknown error'}`

const LF = 10
const CR = 13
const enc = new TextEncoder()
const ONE = enc.encode('\n')
const TWO = enc.encode('\n\n')

/**
 * What ends a partial SSE event, from the last chunk sent; null at an event boundary. When the
 * chunk is too short to tell, an extra blank line is harmless: an empty event is never dispatched.
 */
export const eventCloser = (last: Uint8Array | null): Uint8Array | null => {
  if (!last || last.length === 0) return null
  const n = last.length
  const a = last[n - 1]
  const b = n > 1 ? last[n - 2] : -1
  const c = n > 2 ? last[n - 3] : -1
  if (a === LF) {
    if (b === LF || (b === CR && (c === LF || c === CR))) return null
    return ONE
  }
  if (a === CR) return b === LF || b === CR ? null : TWO
  return TWO
}

const concat = (a: Uint8Array, b: Uint8Array) => {
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}
