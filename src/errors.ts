// The gateway's one error type and its one handler: every failure of our own becomes a JSON body
// with the right HTTP status, v1's envelope `{code, message}` unless the app gives another shape
// (the proxy answers in its channel's, src/proxy/error-shape.ts). Upstream responses never pass
// through here.
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { Logger } from './logger'

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
  | 'KEYS_COOLING'
  | 'UPSTREAM_CIRCUIT_OPEN'
  | 'SERVICE_UNAVAILABLE'
  | 'DECRYPTION_FAILED'

export class AppError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    /** Extra response headers, such as `Retry-After` on a 429. */
    readonly headers?: Record<string, string>,
  ) {
    super(message)
    this.name = 'AppError'
  }
}

/** An error's message for a log line, whatever was thrown. */
export const errorText = (err: unknown): string =>
  err instanceof Error ? err.message : String(err)

export const badRequest = (message: string) => new AppError(400, 'VALIDATION_FAILED', message)
export const notFound = (message: string) => new AppError(404, 'NOT_FOUND', message)

/** The body of an error answer to the request `c`. */
export type ErrorBody = (c: Context, status: number, code: ErrorCode, message: string) => object

const v1Envelope: ErrorBody = (_c, _status, code, message) => ({ code, message })

// A client that hangs up or is cut by the server's read timeout while its body is being read
// fails the read with Node's "aborted" (ECONNRESET): nothing to answer, and not our failure.
const CLIENT_GONE = new Set(['ECONNRESET', 'ERR_STREAM_PREMATURE_CLOSE'])
const isClientGone = (err: Error) =>
  err.message === 'aborted' || CLIENT_GONE.has(String((err as { code?: unknown }).code))

/** Hono `onError`: AppErrors keep their status; anything else is a 500 whose detail stays in the log. */
export const createErrorHandler =
  (log: Logger, bodyOf = v1Envelope) =>
  (err: Error, c: Context) => {
    const reply = (status: ContentfulStatusCode, code: ErrorCode, message: string) =>
      c.json(bodyOf(c, status, code, message), status, err instanceof AppError ? err.headers : {})
    if (err instanceof AppError) return reply(err.status, err.code, err.message)
    // Hono's own HTTPException (e.g. from bodyLimit) carries a status we should honour.
    const status = (err as { status?: number }).status
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return reply(status as ContentfulStatusCode, 'BAD_REQUEST', err.message)
    }
    if (isClientGone(err)) {
      // Once, at debug: a slow or vanishing client must not be able to fill the log.
      log('debug', 'client went away before its request was read', { error: err.message })
      return reply(400, 'BAD_REQUEST', 'The request body was not received in full')
    }
    log('error', 'unhandled error', { error: err.message, stack: err.stack })
    return reply(500, 'INTERNAL_SERVER_ERROR', 'Internal server error')
  }
