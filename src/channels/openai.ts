// The OpenAI chat-completions format: Bearer key, model in the body, x-ratelimit-* resets.
import { endpointOf, joinUrl, jsonPost, matchesError, setBearer, testModelOf } from './common'
import { openaiDepletedUntil, openaiResetAt } from './rate-limit'
import { openaiChatError, openaiResponsesError } from './stream-error'
import type { Channel } from './types'

// https://platform.openai.com/docs/guides/error-codes: 401 "Incorrect API key provided",
// error.code "invalid_api_key".
const INVALID_KEY = /invalid_api_key|incorrect api key/i

const INSUFFICIENT_QUOTA = /insufficient_quota/

const DEFAULT_TEST_MODEL = 'gpt-4.1-nano'

export const openaiChannel: Channel = {
  type: 'openai',
  defaultUpstream: 'https://api.openai.com',
  defaultTestModel: DEFAULT_TEST_MODEL,
  injectKey: setBearer,
  isStreamPath: () => false,
  modelOf: (_path, bodyModel) => bodyModel,
  isInvalidKeyError: (status, body) => matchesError(INVALID_KEY, status, body),
  rateLimitResetAt: openaiResetAt,
  // OpenAI's limits are per model; `insufficient_quota` is the account's credit, for every model.
  rateLimitPerModel: (body) => !INSUFFICIENT_QUOTA.test(body),
  depletedUntil: openaiDepletedUntil,
  streamError: (path, ...e) =>
    /\/responses(\/|\?|$)/.test(path) ? openaiResponsesError(...e) : openaiChatError(...e),
  streamsSse: () => true,
  validationRequest: (group, upstreamBase, key) =>
    jsonPost(
      joinUrl(upstreamBase, endpointOf(group, '/v1/chat/completions')),
      { authorization: `Bearer ${key}` },
      {
        model: testModelOf(group, DEFAULT_TEST_MODEL),
        messages: [{ role: 'user', content: 'hi' }],
      },
    ),
}
