// The body of an error the gateway itself makes on /proxy: each provider's own error shape, so
// every official SDK shows our message, with v1's code string kept in the field that shape has
// for a machine-readable cause. The admin API keeps v1's `{code, message}`.
import type { Context } from 'hono'
import { tryDecodeURIComponent } from 'hono/utils/url'
import type { ConfigCache } from '../config/cache'
import type { ErrorBody } from '../errors'
import { toErrorBody, type ErrorShape } from '../channels/error-body'

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
