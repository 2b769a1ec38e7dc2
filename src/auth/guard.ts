// One authentication under the per-IP throttle (src/auth/throttle.ts), shared by the admin API and
// the proxy: a blocked client is refused whatever key it sends, so it learns nothing about the key.
import type { Context } from 'hono'
import type { Core } from '../core'

/** The outcome: the check passed, it failed, or the client must wait this many ms. */
export type GuardResult = true | false | number

export const createAuthGuard = (core: Core, opts: { clearOnSuccess: boolean }) => {
  const { authThrottle, deps } = core
  // Without an IP (an adapter that cannot see it) every client shares one count.
  const ipOf = (c: Context) => deps.clientIp?.(c) || 'unknown'

  return async (c: Context, check: () => boolean): Promise<GuardResult> => {
    const ip = ipOf(c)
    const wait = await authThrottle.retryAfter(ip)
    if (wait > 0) return wait
    if (check()) {
      if (opts.clearOnSuccess) await authThrottle.succeed(ip)
      return true
    }
    const { failures, retryAfterMs } = await authThrottle.fail(ip)
    if (retryAfterMs === 0) return false
    deps.log('warn', 'too many failed authentications; client blocked', {
      ip,
      failures,
      retry_after_s: Math.ceil(retryAfterMs / 1000),
      path: c.req.path,
    })
    return retryAfterMs
  }
}

/** Whole seconds for `Retry-After`, at least 1. */
export const retrySeconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000))

export const tooManyMessage = (ms: number) =>
  `Too many failed authentications from this address; retry in ${retrySeconds(ms)} s`
