// The body of an error the gateway itself makes on /proxy: each provider's own error shape, so
// every official SDK shows our message, with v1's code string kept in the field that shape has
// for a machine-readable cause. The admin API keeps v1's `{code, message}`.
import type { Context } from 'hono'
import { tryDecodeURIComponent } from 'hono/utils/url'
import type { ConfigCache } from '../config/cache'
import type { ErrorBody } from '../errors'

export type ErrorShape = 'openai' | 'anthropic' | 'gemini'

// OpenAI: the SDK reads `error.message`, and `error.type`/`error.code` into its APIError.
const OPENAI_TYPES: Record<number, string> = {
  401: 'authentication_error',
  403: 'permission_error',
  429: 'rate_limit_error',
}
const openaiType = (status: number) =>
  OPENAI_TYPES[status] ?? (status >= 500 ? 'server_error' : 'invalid_request_error')

// Anthropic's documented error types (docs.anthropic.com, "Errors"). The SDK reads the code from
// `error.details.error_code` into APIError.errorCode.
const ANTHROPIC_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  504: 'timeout_error',
  529: 'overloaded_error',
}
const anthropicType = (status: number) =>
  ANTHROPIC_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error')

// google.rpc.Code names as Google APIs map them to HTTP statuses (google/rpc/code.proto). The
// code goes in a google.rpc.ErrorInfo's `reason`, as Google's own APIs put theirs.
const GRPC_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  501: 'UNIMPLEMENTED',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
}
const grpcStatus = (status: number) =>
  GRPC_STATUS[status] ?? (status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION')

export const toErrorBody = (
  shape: ErrorShape,
  status: number,
  code: string,
  message: string,
): object => {
  if (shape === 'anthropic') {
    const error = { type: anthropicType(status), message, details: { error_code: code } }
    return { type: 'error', error }
  }
  if (shape === 'gemini') {
    const info = {
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: code,
      domain: 'edgeload',
    }
    return { error: { code: status, message, status: grpcStatus(status), details: [info] } }
  }
  return { error: { message, type: openaiType(status), code } }
}

/** The shape a group's clients read: its channel's, but OpenAI's on Gemini's OpenAI-compatible paths. */
const shapeOfChannel = (channel: string, path: string): ErrorShape =>
  channel === 'anthropic'
    ? 'anthropic'
    : channel === 'gemini' && !path.includes('/openai/')
      ? 'gemini'
      : 'openai'

/** For a group we do not know: the shape the request's path and credentials point to. */
const guessShape = (c: Context, path: string): ErrorShape => {
  if (path.includes('/openai/')) return 'openai'
  if (/\/v1\/messages(\/|$)/.test(path) || c.req.header('anthropic-version')) return 'anthropic'
  if (c.req.header('x-api-key')) return 'anthropic'
  if (path.includes('/v1beta/') || /\/models\/[^/]+:\w+$/.test(path)) return 'gemini'
  if (c.req.header('x-goog-api-key') || c.req.query('key')) return 'gemini'
  return 'openai'
}

/**
 * The error body for the one error handler: on /proxy the shape of the group's channel (or the
 * one the request points to when the group is unknown, or before routing as for the concurrency
 * cap), elsewhere v1's envelope. The integration-info route is v1's API and keeps v1's envelope.
 */
export const createErrorBody =
  (cache: ConfigCache): ErrorBody =>
  (c, status, code, message) => {
    const m = /^\/proxy\/([^/]+)(\/.*)?$/.exec(c.req.path)
    if (!m || m[2] === '/api/integration/info') return { code, message }
    const path = m[2] ?? ''
    const entry = cache.byName(tryDecodeURIComponent(m[1]!))
    const shape = entry ? shapeOfChannel(entry.channel.type, path) : guessShape(c, path)
    return toErrorBody(shape, status, code, message)
  }
