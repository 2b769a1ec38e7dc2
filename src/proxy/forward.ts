// The attempt loop of a standard group: on a failover status or a network error try again on
// another key and the next URL, up to `max_retries` more times and while `request_timeout` has
// not run out in total (one attempt is in attempt.ts).
import type { Core } from '../core'
import { AppError } from '../errors'
import { attempt, type Failure, type ForwardRequest } from './attempt'
import { toLogRow, type AttemptInfo } from './log'

/**
 * The answer once the attempts are over: the last failure, or 503 when none was made. Errors of
 * our own are thrown, so the error handler answers them in the channel's shape.
 */
export const finalAnswer = (
  core: Core,
  info: AttemptInfo,
  last: Failure | null,
  message: string,
): Response => {
  if (last?.error) throw last.error
  if (last) return new Response(last.body, { status: last.status, headers: last.headers })
  core.logs.push(
    toLogRow({ ...info, key: null }, core.deps.now(), {
      status: 503,
      type: 'final',
      upstream: '',
      error: 'no usable key',
    }),
  )
  throw new AppError(503, 'NO_KEYS_AVAILABLE', message)
}

export const forward = async (core: Core, req: ForwardRequest): Promise<Response> => {
  const { max_retries: max, request_timeout } = req.entry.settings
  // Retries reuse keys once each has been tried (as v1); the count and this deadline bound them.
  const deadline = core.deps.now() + request_timeout * 1000
  const tried = new Set<number>()
  let last: Failure | null = null
  for (let i = 0; i <= max; i++) {
    const r = await attempt(core, req, tried, i === max ? 'final' : 'retry', deadline)
    if (!r) break
    if ('response' in r) return r.response
    last = r.failure
    if (r.last) break
  }
  return finalAnswer(core, req, last, 'No active API keys available for this group')
}
