// The OpenAI chat-completions format: Bearer key, model in the body, x-ratelimit-* resets. Also
// home of the small URL and request helpers the other channels share.
import type { Group } from '../store/types'
import { openaiResetAt } from './rate-limit'
import type { Channel, ValidationRequest } from './types'

/** `base` without trailing slashes, then `path` as given (so its query string is kept). */
export const joinUrl = (base: string, path: string): string =>
  base.replace(/\/+$/, '') + (path.startsWith('/') ? path : `/${path}`)

/** A JSON POST. Header names are lower-case so that header rules can override them by name. */
export const jsonPost = (
  url: string,
  headers: Record<string, string>,
  body: unknown,
): ValidationRequest => ({
  url,
  init: {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  },
})

export const setBearer = (_url: URL, headers: Headers, key: string): void => {
  headers.set('authorization', `Bearer ${key}`)
}

/** Error bodies are small; a huge one is not an auth error worth scanning end to end. */
export const matchesError = (pattern: RegExp, status: number, body: string): boolean =>
  status >= 400 && status < 500 && pattern.test(body.length > 16_384 ? body.slice(0, 16_384) : body)

export const testModelOf = (group: Group, fallback: string): string =>
  group.test_model.trim() || fallback

export const endpointOf = (group: Group, fallback: string): string =>
  group.validation_endpoint.trim() || fallback

// https://platform.openai.com/docs/guides/error-codes: 401 "Incorrect API key provided",
// error.code "invalid_api_key".
const INVALID_KEY = /invalid_api_key|incorrect api key/i

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
