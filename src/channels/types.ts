// A channel is one provider wire format as data plus pure functions. No I/O happens here.
import type { Group } from '../store/types'

export interface ValidationRequest {
  url: string
  init: { method: string; headers: Record<string, string>; body: string }
}

export interface Channel {
  type: string
  defaultUpstream: string
  defaultTestModel: string
  /** Places the upstream key where this provider expects it (headers and URL are mutated). */
  injectKey(url: URL, headers: Record<string, string>, key: string): void
  /** Stream detection beyond the common checks (Accept, ?stream=true, body stream:true). */
  isStreamPath(path: string): boolean
  /** The model the client asked for: from the path (Gemini) or the body's `model`. */
  modelOf(path: string, bodyModel: string): string
  /** True when an upstream error means the key itself is bad (beyond 401/403). */
  isInvalidKeyError(status: number, body: string): boolean
  /**
   * Epoch ms at which a rate limit ends, from provider-specific headers (and, for Gemini, the
   * error body); null if none.
   */
  rateLimitResetAt(headers: Headers, now: number, body?: string): number | null
  /** True when a 429's limit is the provider's per-model one (the key still serves other models). */
  rateLimitPerModel(body: string): boolean
  /**
   * Epoch ms at which a limit that this answer says is used up (`remaining` 0) resets; null when
   * none is. Runs on every success, so it reads the plain lower-case headers.
   */
  depletedUntil(headers: Record<string, string>, now: number): number | null
  /**
   * The in-band SSE error event that ends a broken stream of the request to `path` (after the
   * group), in the shape this format's SDKs read from a stream, blank line included.
   */
  streamError(path: string, status: number, code: string, message: string): string
  /** Whether a stream of the request to `path` comes as SSE (Gemini's native paths need alt=sse). */
  streamsSse(path: string): boolean
  /** The request that checks one key against one upstream base URL. */
  validationRequest(group: Group, upstreamBase: string, key: string): ValidationRequest
}
