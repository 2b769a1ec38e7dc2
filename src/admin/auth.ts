// Admin authentication (reference §2.1): the AUTH_KEY from `?key=`, `Authorization: Bearer`,
// `X-Api-Key` or `X-Goog-Api-Key`, compared in constant time. Failures are counted per client IP
// (core.authThrottle); a client past its free tries gets 429 with Retry-After until its block
// ends, whatever key it sends, so a blocked attacker learns nothing about the key.
import type { Context, MiddlewareHandler } from 'hono'
import { extractKey } from '../auth'
import type { Core } from '../core'
import { safeEqual } from '../crypto'
import { AppError } from '../errors'

export const isAdminKey = (key: string | null, authKey: string): boolean =>
  key !== null && authKey !== '' && safeEqual(key, authKey)

/** The body of a 429: the admin API's envelope, or login's `{success, message}`. */
type TooManyBody = (message: string) => Record<string, unknown>

export const apiTooMany: TooManyBody = (message) => ({ code: 'TOO_MANY_REQUESTS', message })

/**
 * Wraps one authentication: `check` runs only when the client is not blocked. Answers a 429
 * Response when the client is (or just became) blocked, else whether the check passed.
 */
export const createAuthGuard = (core: Core) => {
  const { authThrottle, deps } = core
  // Without an IP (an adapter that cannot see it) every client shares one count.
  const ipOf = (c: Context) => deps.clientIp?.(c) || 'unknown'
  const tooMany = (c: Context, ms: number, body: TooManyBody) => {
    const s = Math.max(1, Math.ceil(ms / 1000))
    const message = `Too many failed authentications from this address; retry in ${s} s`
    return c.json(body(message), 429, { 'retry-after': String(s) })
  }

  return async (
    c: Context,
    check: () => boolean,
    body: TooManyBody = apiTooMany,
  ): Promise<Response | boolean> => {
    const ip = ipOf(c)
    const wait = await authThrottle.retryAfter(ip)
    if (wait > 0) return tooMany(c, wait, body)
    if (check()) {
      await authThrottle.succeed(ip)
      return true
    }
    const { failures, retryAfterMs } = await authThrottle.fail(ip)
    if (retryAfterMs === 0) return false
    deps.log('warn', 'too many failed admin authentications; client blocked', {
      ip,
      failures,
      retry_after_s: Math.ceil(retryAfterMs / 1000),
      path: c.req.path,
    })
    return tooMany(c, retryAfterMs, body)
  }
}

export const adminAuth = (core: Core): MiddlewareHandler => {
  const guard = createAuthGuard(core)
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
