// Small URL and request helpers shared by the channels.
import type { Group } from '../store/types'
import type { ValidationRequest } from './types'

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

export const setBearer = (_url: URL, headers: Record<string, string>, key: string): void => {
  headers.authorization = `Bearer ${key}`
}

/** Error bodies are small; a huge one is not an auth error worth scanning end to end. */
export const matchesError = (pattern: RegExp, status: number, body: string): boolean =>
  status >= 400 && status < 500 && pattern.test(body.length > 16_384 ? body.slice(0, 16_384) : body)

export const testModelOf = (group: Group, fallback: string): string =>
  group.test_model.trim() || fallback

export const endpointOf = (group: Group, fallback: string): string =>
  group.validation_endpoint.trim() || fallback
