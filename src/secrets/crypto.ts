// Secret handling shared by the proxy and the admin API: constant-time compare, key hashing,
// masking and redaction. WebCrypto only, so every runtime runs the same code.

import type { Logger } from '../logger'
import { wellFormed } from '../text'

const enc = new TextEncoder()

/**
 * Constant-time string equality: the time depends on the lengths only, not on the content.
 * Compares UTF-16 code units directly, so the hot path allocates nothing.
 */
export const safeEqual = (a: string, b: string): boolean => {
  let diff = a.length ^ b.length
  const n = Math.max(a.length, b.length)
  // Past a string's end charCodeAt gives NaN, and NaN | 0 is 0.
  for (let i = 0; i < n; i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0)
  return diff === 0
}

/** True when `key` equals any member; every member is compared so timing reveals nothing. */
export const matchesAny = (key: string, members: readonly string[]): boolean => {
  let ok = false
  for (const m of members) ok = safeEqual(key, m) || ok
  return ok
}

export const toHex = (buf: ArrayBuffer) =>
  Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('')

/** SHA-256 hex of a key: used for dedupe, exact search and the log join. */
export const hashKey = async (key: string): Promise<string> =>
  toHex(await crypto.subtle.digest('SHA-256', enc.encode(key)))

/** `sk-a…wxyz`: enough to recognise a key, never enough to use it. */
export const maskKey = (key: string): string => {
  // Counted in characters, not UTF-16 units, so a mask never cuts an emoji in half. Keys are
  // nearly always ASCII: they skip the array, which made every log row's mask about 6× dearer.
  if (SURROGATE.test(key)) return maskChars(Array.from(wellFormed(key)))
  const n = key.length
  if (n <= 2) return '*'.repeat(n)
  return n <= 8 ? `${key[0]}…${key[n - 1]}` : `${key.slice(0, 4)}…${key.slice(-4)}`
}

const SURROGATE = /[\ud800-\udfff]/

const maskChars = (chars: string[]): string => {
  const n = chars.length
  if (n <= 2) return '*'.repeat(n)
  const part = (from: number, to?: number) => chars.slice(from, to).join('')
  return n <= 8 ? `${chars[0]}…${chars[n - 1]}` : `${part(0, 4)}…${part(-4)}`
}

/** Replaces every occurrence of `secret` in `text` with its masked form. */
export const redact = (text: string, secret: string): string =>
  secret && text.includes(secret) ? text.split(secret).join(maskKey(secret)) : text

// `key=` and its spellings in any URL inside a text: Gemini's keys travel there (§8.3 #7).
const URL_KEY = /([?&](?:key|api[_-]?key)=)[^&#\s"'<>]+/gi

/** Masks every `?key=…` / `&key=…` value in free text, such as an error that names a URL. */
export const redactUrlKeys = (text: string): string => text.replace(URL_KEY, '$1[redacted]')

/** A Logger that passes the message and string extras through redactUrlKeys. */
export const redactingLogger =
  (log: Logger): Logger =>
  (level, msg, extra) => {
    if (!extra) return log(level, redactUrlKeys(msg))
    const clean: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(extra)) {
      clean[k] = typeof v === 'string' ? redactUrlKeys(v) : v
    }
    log(level, redactUrlKeys(msg), clean)
  }

/** Drops `key=` from a query string so URLs can be logged (Gemini puts keys there). */
export const stripKeyParam = (url: string): string => {
  const q = url.indexOf('?')
  if (q < 0 || !/[?&]key=/.test(url)) return url
  const params = new URLSearchParams(url.slice(q + 1))
  params.delete('key')
  const rest = params.toString()
  return rest ? `${url.slice(0, q)}?${rest}` : url.slice(0, q)
}

/** A random secret for generated AUTH_KEYs and proxy keys: `sk-` plus 48 url-safe characters. */
export const randomSecret = (prefix = 'sk-'): string => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
  const bytes = crypto.getRandomValues(new Uint8Array(48))
  // 62 does not divide 256; the slight bias is irrelevant at 48 characters of entropy ~285 bits.
  return prefix + Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('')
}
