// Admin authentication (reference §2.1): the AUTH_KEY from `?key=`, `Authorization: Bearer`,
// `X-Api-Key` or `X-Goog-Api-Key`, compared in constant time.
import type { MiddlewareHandler } from 'hono'
import { extractKey } from '../auth'
import { safeEqual } from '../crypto'
import { AppError } from '../errors'

export const isAdminKey = (key: string | null, authKey: string): boolean =>
  key !== null && authKey !== '' && safeEqual(key, authKey)

export const adminAuth =
  (authKey: string): MiddlewareHandler =>
  async (c, next) => {
    if (!isAdminKey(extractKey(c), authKey)) {
      throw new AppError(401, 'UNAUTHORIZED', 'Authentication failed')
    }
    await next()
  }
