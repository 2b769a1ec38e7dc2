// The attempt loop of a standard group: on a failover status or a network error try again on
// another key and the next URL, up to `max_retries` more times and while `request_timeout` has
// not run out in total (one attempt is in attempt.ts).
import type { Core } from '../core'
import { retrySeconds } from '../auth/guard'
import { AppError } from '../errors'
import { attempt, type Failure, type ForwardRequest } from './attempt'
import { toLogRow, type AttemptInfo } from './log'
import { earliestReset, waitForCoolingKey } from './wait-for-key'

/**
 * The answer once the attempts are over: the last failure; or, when no attempt was made, 429 with
 * `Retry-After` while keys are only cooling, else 503. Errors of our own are thrown, so the error
 * handler answers them in the channel's shape.
 */
export const finalAnswer = async (
  core: Core,
  info: AttemptInfo,
  last: Failure | null,
  message: string,
  /** The groups whose keys were asked for. */
  groupIds: number[],
): Promise<Response> => {
  if (last?.error) throw last.error
  if (last) return new Response(last.body, { status: last.status, headers: last.headers })
  const now = core.deps.now()
  const reset = await earliestReset(core, groupIds, info.model)
  // Cooling keys come back by themselves: the client is told when, as a 429 (a 503 would say
  // the service is down). The log tells this apart from an upstream 429 and the local cap.
  const cooling = reset !== null
  core.logs.push(
    toLogRow({ ...info, key: null }, now, {
      status: cooling ? 429 : 503,
      type: 'final',
      upstream: '',
      error: cooling ? 'every usable key is cooling down' : 'no usable key',
    }),
  )
  if (!cooling) throw new AppError(503, 'NO_KEYS_AVAILABLE', message)
  const seconds = retrySeconds(reset - now)
  throw new AppError(
    429,
    'KEYS_COOLING',
    `Every key of this group is cooling down after rate limits; retry in ${seconds} s`,
    { 'retry-after': String(seconds) },
  )
}

export const forward = async (core: Core, req: ForwardRequest): Promise<Response> => {
  const { max_retries: max, request_timeout } = req.entry.settings
  // Retries reuse keys once each has been tried (as v1); the count and this deadline bound them.
  const deadline = core.deps.now() + request_timeout * 1000
  const tried = new Set<number>()
  let last: Failure | null = null
  let waitLeft = req.entry.settings.max_wait_for_key_ms
  for (let i = 0; i <= max; i++) {
    const r = await attempt(core, req, tried, i === max ? 'final' : 'retry', deadline)
    if (!r) {
      // Every key cooling: wait for the first one back when it is soon, without using an attempt.
      const gids = [req.entry.group.id]
      const waited = await waitForCoolingKey(core, gids, req.model, waitLeft, deadline, req.signal)
      if (waited === null) break
      waitLeft -= Math.max(waited, 1)
      i--
      continue
    }
    if ('response' in r) return r.response
    // A failed probe of an invalid key costs no attempt, and the client never sees it.
    if (r.probe) {
      i--
      continue
    }
    last = r.failure
    if (r.last) break
  }
  return finalAnswer(core, req, last, 'No active API keys available for this group', [
    req.entry.group.id,
  ])
}
