// Text that is stored must be valid Unicode: a lone UTF-16 surrogate (JSON allows `"\ud83d"`)
// becomes invalid UTF-8 once SQLite's json functions unpack it, and libsql panics reading it back.

/** The string with every lone surrogate replaced by U+FFFD; the same string when it has none. */
export const wellFormed = (s: string): string => (s.isWellFormed() ? s : s.toWellFormed())

/** At most `max` UTF-16 units of `s`, well-formed, never ending in half a surrogate pair. */
export const clip = (s: string, max: number): string => {
  let out = s
  if (out.length > max) {
    const last = out.charCodeAt(max - 1)
    out = out.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max)
  }
  return wellFormed(out)
}

/**
 * The path of the first string in a parsed JSON value (keys included) that holds a lone
 * surrogate, such as `upstreams.0.url`; null when every string is well-formed.
 */
export const findIllFormed = (value: unknown, path: string[] = []): string | null => {
  if (typeof value === 'string') return value.isWellFormed() ? null : path.join('.') || 'body'
  if (typeof value !== 'object' || value === null) return null
  for (const [k, v] of Object.entries(value)) {
    if (!k.isWellFormed()) return [...path, wellFormed(k)].join('.')
    const found = findIllFormed(v, [...path, k])
    if (found !== null) return found
  }
  return null
}
