// Admin authentication (reference §2.1): the AUTH_KEY from `?key=`, `Authorization: Bearer`,
// `X-Api-Key` or `X-Goog-Api-Key`, compared in constant time. Failures are counted per client IP
// (core.authThrottle); a client past its free tries gets 429 with Retry-After until its block
// ends, whatever key it sends, so a blocked attacker learns nothing about the key.
import type { Context, MiddlewareHandler } from 'hono'
import { extractKey } from '../auth/credentials'
import { createAuthGuard, retrySeconds, tooManyMessage } from '../auth/guard'
import type { Core } from '../core'
import { safeEqual } from '../secrets/crypto'
import { AppError } from '../errors'

export const isAdminKey = (key: string | null, authKey: string): boolean =>
  key !== null && authKey !== '' && safeEqual(key, authKey)

/** The body of a 429: the admin API's envelope, or login's `{success, message}`. */
type TooManyBody = (message: string) => Record<string, unknown>

export const apiTooMany: TooManyBody = (message) => ({ code: 'TOO_MANY_REQUESTS', message })

/**
 * The admin side's guard: a 429 Response when the client is (or just became) blocked, else
 * whether the check passed. Only the admin key's success clears the count: a proxy key's must
 * not, or a holder of one could reset its count between guesses at the admin key.
 */
export const createAdminGuard = (core: Core, clearOnSuccess = true) => {
  const guard = createAuthGuard(core, { clearOnSuccess })
  return async (
    c: Context,
    check: () => boolean,
    body: TooManyBody = apiTooMany,
  ): Promise<Response | boolean> => {
    const r = await guard(c, check)
    if (typeof r === 'boolean') return r
    return c.json(body(tooManyMessage(r)), 429, { 'retry-after': String(retrySeconds(r)) })
  }
}

export const adminAuth = (core: Core): MiddlewareHandler => {
  const guard = createAdminGuard(core)
  const { authKey } = core.deps.config
  return async (c, next) => {
    const key = extractKey(c)
    // No key at all guesses nothing (a monitor, a stale tab): answered without being counted.
    if (key === null) throw new AppError(401, 'UNAUTHORIZED', 'Authentication failed')
    const r = await guard(c, () => isAdminKey(key, authKey))
    if (r instanceof Response) return r
    if (!r) throw new AppError(401, 'UNAUTHORIZED', 'Authentication failed')
    await next()
  }
}
