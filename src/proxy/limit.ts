// MAX_CONCURRENT_REQUESTS: past the cap a request gets 429 with a message (v1 answers 500). A
// stream keeps its slot until it ends, not just until its headers are sent.
import type { MiddlewareHandler } from 'hono'
import { AppError } from '../errors'

declare module 'hono' {
  interface ContextVariableMap {
    /** Keeps this request's slot past the handler's return; call the result to free it. */
    holdSlot: () => () => void
  }
}

export const createConcurrencyLimit = (max: number): MiddlewareHandler => {
  let inFlight = 0
  return async (c, next) => {
    if (inFlight >= max) {
      throw new AppError(429, 'TOO_MANY_REQUESTS', `Too many concurrent requests (limit ${max})`)
    }
    inFlight++
    let held = false
    let released = false
    const release = () => {
      if (released) return
      released = true
      inFlight--
    }
    c.set('holdSlot', () => {
      held = true
      return release
    })
    try {
      await next()
    } finally {
      if (!held) release()
    }
  }
}
