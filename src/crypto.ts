// Secret handling shared by the proxy and the admin API: constant-time compare, key hashing,
// masking and redaction. WebCrypto only, so every runtime runs the same code.

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

const toHex = (buf: ArrayBuffer) =>
  Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('')

/** SHA-256 hex of a key: used for dedupe, exact search and the log join. */
export const hashKey = async (key: string): Promise<string> =>
  toHex(await crypto.subtle.digest('SHA-256', enc.encode(key)))

/** `sk-a…wxyz`: enough to recognise a key, never enough to use it. */
export const maskKey = (key: string): string => {
  if (key.length <= 8) return key.length <= 2 ? '*'.repeat(key.length) : `${key[0]}…${key.at(-1)}`
  return `${key.slice(0, 4)}…${key.slice(-4)}`
}

/** Replaces every occurrence of `secret` in `text` with its masked form. */
export const redact = (text: string, secret: string): string =>
  secret && text.includes(secret) ? text.split(secret).join(maskKey(secret)) : text

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
