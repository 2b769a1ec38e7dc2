// The gateway's one error type and its one handler: every failure of our own becomes the v1 JSON
// envelope `{code, message}` with the right HTTP status. Upstream responses never pass through here.
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

export type ErrorCode =
  | 'BAD_REQUEST'
  | 'INVALID_JSON'
  | 'VALIDATION_FAILED'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'DUPLICATE_RESOURCE'
  | 'TASK_IN_PROGRESS'
  | 'PAYLOAD_TOO_LARGE'
  | 'TOO_MANY_REQUESTS'
  | 'INTERNAL_SERVER_ERROR'
  | 'DATABASE_ERROR'
  | 'BAD_GATEWAY'
  | 'UPSTREAM_ERROR'
  | 'NO_KEYS_AVAILABLE'
  | 'SERVICE_UNAVAILABLE'
  | 'DECRYPTION_FAILED'

export class AppError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message)
    this.name = 'AppError'
  }
}

export const badRequest = (message: string) => new AppError(400, 'VALIDATION_FAILED', message)
export const notFound = (message: string) => new AppError(404, 'NOT_FOUND', message)

/** Hono `onError`: AppErrors keep their status; anything else is a 500 whose detail stays in the log. */
export const createErrorHandler =
  (log: (msg: string, extra?: Record<string, unknown>) => void) => (err: Error, c: Context) => {
    if (err instanceof AppError) return c.json({ code: err.code, message: err.message }, err.status)
    // Hono's own HTTPException (e.g. from bodyLimit) carries a status we should honour.
    const status = (err as { status?: number }).status
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return c.json({ code: 'BAD_REQUEST', message: err.message }, status as ContentfulStatusCode)
    }
    log('unhandled error', { error: err.message, stack: err.stack })
    return c.json({ code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' }, 500)
  }
