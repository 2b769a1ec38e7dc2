// The Gemini format: native paths carry the model and the key (`?key=`); the OpenAI-compatible
// paths under v1beta/openai take a Bearer key like OpenAI.
import { joinUrl, jsonPost, matchesError, setBearer, testModelOf } from './common'
import { geminiPerModel, geminiResetAt } from './gemini-quota'
import { geminiError, openaiChatError } from './stream-error'
import type { Channel } from './types'

/** Sets `key=` (dropping any other `key`) without re-encoding the rest of the query. */
const setQueryKey = (url: URL, key: string): void => {
  const kept = url.search
    .slice(1)
    .split('&')
    .filter((p) => p !== '' && p !== 'key' && !p.startsWith('key='))
  kept.push(`key=${encodeURIComponent(key)}`)
  url.search = kept.join('&')
}

const pathOnly = (path: string): string => {
  const q = path.indexOf('?')
  return q < 0 ? path : path.slice(0, q)
}

// `models/{model}[:method]` as a whole segment, so `tunedModels/…` does not match.
const MODEL_IN_PATH = /(?:^|\/)models\/([^/:?]+)/

// 400 INVALID_ARGUMENT with reason API_KEY_INVALID: "API key not valid. Please pass a valid API
// key." or "API key expired. Please renew the API key." (v1 counts this only via the failover set).
const INVALID_KEY = /API_KEY_INVALID|API key not valid|API key expired/i

const DEFAULT_TEST_MODEL = 'gemini-2.0-flash-lite'

export const geminiChannel: Channel = {
  type: 'gemini',
  defaultUpstream: 'https://generativelanguage.googleapis.com',
  defaultTestModel: DEFAULT_TEST_MODEL,
  injectKey: (url, headers, key) => {
    if (url.pathname.includes('v1beta/openai')) setBearer(url, headers, key)
    else setQueryKey(url, key)
  },
  isStreamPath: (path) => pathOnly(path).endsWith(':streamGenerateContent'),
  modelOf: (path, bodyModel) => MODEL_IN_PATH.exec(pathOnly(path))?.[1] ?? bodyModel,
  isInvalidKeyError: (status, body) => matchesError(INVALID_KEY, status, body),
  rateLimitResetAt: geminiResetAt,
  rateLimitPerModel: geminiPerModel,
  // Gemini sends no remaining-quota headers.
  depletedUntil: () => null,
  streamError: (path, ...e) =>
    path.includes('/openai/') ? openaiChatError(...e) : geminiError(...e),
  streamsSse: (path) => path.includes('/openai/') || /[?&]alt=sse(&|$)/.test(path),
  // v1 ignores validation_endpoint for Gemini (reference §6); we keep that, but send the key in a
  // header instead of the URL so it cannot leak into error messages and logs (§8.1 #17).
  validationRequest: (group, upstreamBase, key) => {
    const model = testModelOf(group, DEFAULT_TEST_MODEL).replace(/^models\//, '')
    return jsonPost(
      joinUrl(upstreamBase, `/v1beta/models/${encodeURIComponent(model)}:generateContent`),
      { 'x-goog-api-key': key },
      { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] },
    )
  },
}
