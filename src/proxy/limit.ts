// MAX_CONCURRENT_REQUESTS: past the cap a request gets 429 with a message (v1 answers 500).
import type { MiddlewareHandler } from 'hono'
import { AppError } from '../errors'

export const createConcurrencyLimit = (max: number): MiddlewareHandler => {
  let inFlight = 0
  return async (_c, next) => {
    if (inFlight >= max) {
      throw new AppError(429, 'TOO_MANY_REQUESTS', `Too many concurrent requests (limit ${max})`)
    }
    inFlight++
    try {
      await next()
    } finally {
      inFlight--
    }
  }
}
