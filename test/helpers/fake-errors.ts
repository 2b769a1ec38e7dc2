// The fake upstream's error replies, in each provider's own JSON shape.
import type { Provider, Reply } from './fake-wire'
import { json, nextId } from './fake-wire'

const GOOGLE_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
}
const ANTHROPIC_TYPE: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  529: 'overloaded_error',
}
const OPENAI_ERROR: Record<number, [type: string, code: string | null, message: string]> = {
  401: ['invalid_request_error', 'invalid_api_key', 'Incorrect API key provided.'],
  403: [
    'invalid_request_error',
    'unsupported_country_region_territory',
    'Country, region, or territory not supported',
  ],
  404: [
    'invalid_request_error',
    'model_not_found',
    'The model does not exist or you do not have access to it.',
  ],
  429: [
    'requests',
    'rate_limit_exceeded',
    'Rate limit reached for requests. Please try again later.',
  ],
}

/**
 * An error in the provider's own JSON shape. `status: 401` means "this key is invalid": Gemini
 * answers that with 400 INVALID_ARGUMENT and an API_KEY_INVALID detail, as the real API does.
 */
export const errorReply = (provider: Provider, status: number, message?: string): Reply => {
  if (provider === 'gemini' || provider === 'gemini-openai') {
    const badKey = status === 401
    const code = badKey ? 400 : status
    const error = {
      code,
      message:
        message ?? (badKey ? 'API key not valid. Please pass a valid API key.' : `fake ${code}`),
      status: GOOGLE_STATUS[code] ?? (code >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION'),
      // Google's 429 names the quota and when to retry, as the real API does.
      ...(code === 429 && {
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
            violations: [
              {
                quotaMetric:
                  'generativelanguage.googleapis.com/generate_content_free_tier_requests',
                quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier',
                quotaDimensions: { location: 'global', model: 'gemini-2.0-flash' },
                quotaValue: '15',
              },
            ],
          },
          { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '43s' },
        ],
      }),
      ...(badKey && {
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'API_KEY_INVALID',
            domain: 'googleapis.com',
            metadata: { service: 'generativelanguage.googleapis.com' },
          },
        ],
      }),
    }
    // The OpenAI-compatible endpoint wraps Google's error object in a one-element array.
    return json(code, provider === 'gemini' ? { error } : [{ error }])
  }
  if (provider === 'anthropic') {
    const type = ANTHROPIC_TYPE[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error')
    const error = {
      type,
      message: message ?? (status === 401 ? 'invalid x-api-key' : `fake ${status}`),
    }
    return json(status, { type: 'error', error, request_id: `req_${nextId()}` })
  }
  const [type, code, text] =
    OPENAI_ERROR[status] ??
    (status >= 500
      ? ['server_error', null, 'The server had an error while processing your request.']
      : ['invalid_request_error', null, `fake ${status}`])
  return json(status, { error: { message: message ?? text, type, param: null, code } })
}

/**
 * OpenAI's bodies for errors that a group's failover rules name (issue 11 §6), as the API sends
 * them; use as a Behaviour's `body` with its `status`.
 */
export const OPENAI_BODIES = {
  /** 400: the prompt is longer than the model's context window. */
  context_length_exceeded: {
    error: {
      message:
        "This model's maximum context length is 128000 tokens. However, your messages resulted in 131072 tokens. Please reduce the length of the messages.",
      type: 'invalid_request_error',
      param: 'messages',
      code: 'context_length_exceeded',
    },
  },
  /** 400: the safety system refused the request; no key or member would answer otherwise. */
  content_policy_violation: {
    error: {
      code: 'content_policy_violation',
      message:
        'Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed by our safety system.',
      param: null,
      type: 'invalid_request_error',
    },
  },
  /** 429: the key's account is out of credit, which no wait fixes. */
  insufficient_quota: {
    error: {
      message:
        'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
      type: 'insufficient_quota',
      param: null,
      code: 'insufficient_quota',
    },
  },
} as const
