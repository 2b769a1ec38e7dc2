// The Anthropic Messages format: `x-api-key` plus a pinned `anthropic-version`.
import { endpointOf, joinUrl, jsonPost, matchesError, testModelOf } from './common'
import { anthropicDepletedUntil, anthropicResetAt } from './rate-limit'
import { anthropicError } from './stream-error'
import type { Channel } from './types'

const VERSION = '2023-06-01'

// https://docs.anthropic.com/en/api/errors: 401 {"type":"error","error":{"type":"authentication_error"}}
const INVALID_KEY = /authentication_error/

const DEFAULT_TEST_MODEL = 'claude-3-haiku-20240307'

export const anthropicChannel: Channel = {
  type: 'anthropic',
  defaultUpstream: 'https://api.anthropic.com',
  defaultTestModel: DEFAULT_TEST_MODEL,
  // v1 overwrites the client's anthropic-version; kept for compatibility (reference §6).
  injectKey: (_url, headers, key) => {
    delete headers.authorization
    headers['x-api-key'] = key
    headers['anthropic-version'] = VERSION
  },
  isStreamPath: () => false,
  modelOf: (_path, bodyModel) => bodyModel,
  isInvalidKeyError: (status, body) => matchesError(INVALID_KEY, status, body),
  rateLimitResetAt: anthropicResetAt,
  // "Rate limits are applied separately for each model" (docs.anthropic.com, rate limits).
  rateLimitPerModel: () => true,
  depletedUntil: anthropicDepletedUntil,
  streamError: (_path, ...e) => anthropicError(...e),
  streamsSse: () => true,
  validationRequest: (group, upstreamBase, key) =>
    jsonPost(
      joinUrl(upstreamBase, endpointOf(group, '/v1/messages')),
      { 'x-api-key': key, 'anthropic-version': VERSION },
      {
        model: testModelOf(group, DEFAULT_TEST_MODEL),
        max_tokens: 100,
        messages: [{ role: 'user', content: 'hi' }],
      },
    ),
}
