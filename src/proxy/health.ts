// Classifies an upstream answer into what it means for the key (reference §8.1, done right):
// auth errors count towards the blacklist, 429 cools the key down, 5xx and network trouble are
// the upstream's fault and cost the key nothing.
import type { Channel } from '../channels/types'
import type { Outcome } from '../keys/pool'

export const classifyStatus = (
  channel: Channel,
  status: number,
  headers: Record<string, string>,
  body: string,
  now: number,
  /** The request's model: a per-model limit cools the key for it alone. */
  model = '',
): Outcome | null => {
  if (status === 401 || status === 403) return { kind: 'auth_failure' }
  if (status === 429) {
    // No reset named: the pool's default, which grows while 429s keep coming.
    const until = channel.rateLimitResetAt(new Headers(headers), now, body)
    return model !== '' && channel.rateLimitPerModel(body)
      ? { kind: 'rate_limited', until, model }
      : { kind: 'rate_limited', until }
  }
  if (status >= 400 && status < 500 && channel.isInvalidKeyError(status, body)) {
    return { kind: 'auth_failure' }
  }
  return null
}
