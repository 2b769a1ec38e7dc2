// The shapes an upstream attempt takes in and hands back (attempt.ts runs it): the request on its
// way upstream, the failure worth retrying elsewhere, and the result the attempt loops read.
import type { ClientSignal } from '../deps'
import type { AppError } from '../errors'
import type { RequestLog } from '../store/types'
import type { FailoverRules } from './failover-rules'
import type { AttemptInfo } from './log'
import type { ModelRedirect } from './redirect'

export interface Failure {
  status: number
  headers: Record<string, string>
  body: string
  /** Set when the gateway made the failure (network error, timeout) rather than the upstream. */
  error?: AppError
  /** A failover rule matched: the next attempt should go to another member (issue 11 §6). */
  moveOn?: boolean
  /** The attempt's log row, when the caller logs it (`deferLog`): only it knows if it was last. */
  row?: RequestLog
}

export interface AttemptOptions {
  /** Only a key not in `tried`: an aggregate moves on rather than reuse a key of a member. */
  freshOnly?: boolean
  /** A failure's row is returned, not logged, so the caller can mark the last one `final`. */
  deferLog?: boolean
}

/** One proxied request on its way upstream: what every attempt needs. */
export interface ForwardRequest extends AttemptInfo {
  method: string
  target: string
  headers: Record<string, string>
  signal: ClientSignal
  /** Set on model-list calls of a group with redirect rules: a 200 list gets rewritten. */
  modelList?: { redirect: ModelRedirect; firstPage: boolean } | null
  /** The failover rules that apply: the group's, or in an aggregate its own then the member's. */
  rules: FailoverRules | null
}

/**
 * The client's answer, a failure to retry elsewhere, or null when the group had no usable key.
 * `last` marks a failure logged as `final`: the loop must stop there (the count or the deadline).
 */
export type AttemptResult =
  | { response: Response }
  /**
   * `blocked`: every route of the group has an open circuit, so no key was used. `probe`: a live
   * probe of an invalid key failed; the client must not see it, and it costs no attempt.
   */
  | { failure: Failure; last: boolean; blocked?: boolean; probe?: boolean }
  | null
