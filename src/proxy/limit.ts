// MAX_CONCURRENT_REQUESTS: past the cap a request gets 429 with a message and `Retry-After` (v1
// answers 500). A stream keeps a slot until it ends, not just until its headers are sent.
import type { Context, MiddlewareHandler } from 'hono'
import { AppError } from '../errors'

export interface ConcurrencyLimit {
  middleware: MiddlewareHandler
  /**
   * Takes a slot for a response that outlives its handler (a stream); call the result once it
   * ends. The request's own slot is freed when the handler returns, so the total stays one.
   */
  hold(): () => void
  /**
   * When a proxied request last started or ended (epoch ms, 0 before any): background bulk work
   * watches it to give way to traffic.
   */
  lastProxied(): number
}

export const createConcurrencyLimit = (
  max: number,
  now: () => number = Date.now,
  /** Told of each refused request, so the refusal reaches the request log. */
  onRefuse?: (c: Context, message: string) => void,
): ConcurrencyLimit => {
  let inFlight = 0
  let lastProxied = 0
  return {
    lastProxied: () => lastProxied,
    async middleware(c, next) {
      if (inFlight >= max) {
        const message = `Too many concurrent requests (limit ${max})`
        onRefuse?.(c, message)
        // A slot frees as soon as any request ends: a second is a fair wait, and SDKs honour it.
        throw new AppError(429, 'TOO_MANY_REQUESTS', message, { 'retry-after': '1' })
      }
      // Admin calls, such as polling a task's progress, are not traffic to make room for.
      const proxy = c.req.path.startsWith('/proxy/')
      inFlight++
      if (proxy) lastProxied = now()
      try {
        await next()
      } finally {
        inFlight--
        if (proxy) lastProxied = now()
      }
    },
    hold() {
      inFlight++
      let released = false
      return () => {
        if (released) return
        released = true
        inFlight--
      }
    },
  }
}
