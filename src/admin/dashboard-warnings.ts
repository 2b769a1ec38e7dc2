// The dashboard's security warnings (reference §2.5, §8.3 #1): a short or guessable AUTH_KEY or
// proxy key. Messages never echo a secret, only where it is configured.
import type { ConfigCache } from '../cache'
import { safeEqual } from '../crypto'

export interface SecurityWarning {
  type: string
  message: string
  severity: 'high' | 'medium'
  suggestion: string
}

export const MIN_SECRET_LENGTH = 16
const WEAK_WORDS = ['password', 'passwd', '123456', 'qwerty', 'admin', 'secret', 'changeme', 'test']
const SUGGEST = 'Use a random string of 32+ characters, e.g. from `openssl rand -base64 32`.'

/** 'short' under 16 characters; 'weak' for common words, one character class or few symbols. */
export const secretStrength = (s: string): 'short' | 'weak' | 'ok' => {
  if (s.length < MIN_SECRET_LENGTH) return 'short'
  const lower = s.toLowerCase()
  if (WEAK_WORDS.some((w) => lower.includes(w))) return 'weak'
  if (/^\d+$/.test(s) || /^[a-z]+$/i.test(s)) return 'weak'
  if (new Set(s).size < 8) return 'weak'
  return 'ok'
}

const check = (type: string, what: string, secret: string): SecurityWarning | null => {
  const strength = secretStrength(secret)
  if (strength === 'ok') return null
  return strength === 'short'
    ? {
        type,
        message: `${what} is shorter than ${MIN_SECRET_LENGTH} characters`,
        severity: 'high',
        suggestion: SUGGEST,
      }
    : {
        type,
        message: `${what} is easy to guess (a common word, one character class or few symbols)`,
        severity: 'medium',
        suggestion: SUGGEST,
      }
}

export const securityWarnings = (
  authKey: string,
  cache: ConfigCache,
  encryptionKey?: string,
): SecurityWarning[] => {
  const out: Array<SecurityWarning | null> = [check('AUTH_KEY', 'AUTH_KEY', authKey)]
  // A weak ENCRYPTION_KEY falls to guessing once the database leaks, salt or not.
  if (encryptionKey) out.push(check('ENCRYPTION_KEY', 'ENCRYPTION_KEY', encryptionKey))
  const global = cache.globalProxyKeys()
  global.forEach((k, i) => out.push(check('PROXY_KEY', `Global proxy key #${i + 1}`, k)))
  // v1 seeds AUTH_KEY as a global proxy key, so the admin secret doubles as an API key (§8.3 #1).
  if (authKey && global.some((k) => safeEqual(k, authKey))) {
    out.push({
      type: 'PROXY_KEY',
      message: 'AUTH_KEY is also a global proxy key, so API clients hold the admin secret',
      severity: 'medium',
      suggestion: 'Set proxy_keys in the system settings to keys other than AUTH_KEY.',
    })
  }
  for (const e of cache.all()) {
    e.proxyKeys.forEach((k, i) =>
      out.push(check('GROUP_PROXY_KEY', `Group '${e.group.name}' proxy key #${i + 1}`, k)),
    )
  }
  return out.filter((w): w is SecurityWarning => w !== null)
}
