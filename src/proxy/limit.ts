// MAX_CONCURRENT_REQUESTS: past the cap a request gets 429 with a message (v1 answers 500). A
// stream keeps a slot until it ends, not just until its headers are sent.
import type { MiddlewareHandler } from 'hono'
import { AppError } from '../errors'

export interface ConcurrencyLimit {
  middleware: MiddlewareHandler
  /**
   * Takes a slot for a response that outlives its handler (a stream); call the result once it
   * ends. The request's own slot is freed when the handler returns, so the total stays one.
   */
  hold(): () => void
  /**
   * Counts every proxied request's start and end: background bulk work watches it to give way
   * to traffic (an end counts too, as a request may have started before the work began).
   */
  proxied(): number
}

export const createConcurrencyLimit = (max: number): ConcurrencyLimit => {
  let inFlight = 0
  let proxied = 0
  return {
    proxied: () => proxied,
    async middleware(c, next) {
      if (inFlight >= max) {
        throw new AppError(429, 'TOO_MANY_REQUESTS', `Too many concurrent requests (limit ${max})`)
      }
      // Admin calls, such as polling a task's progress, are not traffic to make room for.
      const proxy = c.req.path.startsWith('/proxy/')
      inFlight++
      if (proxy) proxied++
      try {
        await next()
      } finally {
        inFlight--
        if (proxy) proxied++
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
