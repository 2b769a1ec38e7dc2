// A top-level JSON object scanner and splicer: finds where each top-level value's text starts and
// ends, so overrides replace only those bytes. Unrelated fields (big integers, key order, spacing)
// stay exactly as the client sent them, unlike a parse + stringify (reference §8.1 #7).

export interface TopLevel {
  /** Value text range per key, by the last occurrence (JSON.parse keeps the last too). */
  fields: Map<string, { start: number; end: number }>
  /** Index of the closing `}`. */
  close: number
}

const isWs = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09

const skipWs = (s: string, i: number) => {
  while (i < s.length && isWs(s.charCodeAt(i))) i++
  return i
}

/** Index just after the string starting at `i` (a `"`); -1 if it never ends. */
const skipString = (s: string, i: number): number => {
  for (i++; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === 0x5c) i++
    else if (c === 0x22) return i + 1
  }
  return -1
}

/** Index just after the value starting at `i`; -1 when it is cut short or unbalanced. */
const skipValue = (s: string, i: number): number => {
  const c = s.charCodeAt(i)
  if (c === 0x22) return skipString(s, i)
  if (c === 0x7b || c === 0x5b) {
    let depth = 0
    for (; i < s.length; i++) {
      const d = s.charCodeAt(i)
      if (d === 0x22) {
        i = skipString(s, i)
        if (i < 0) return -1
        i--
      } else if (d === 0x7b || d === 0x5b) depth++
      else if (d === 0x7d || d === 0x5d) {
        if (--depth === 0) return i + 1
      }
    }
    return -1
  }
  // A number, true, false or null: up to the next delimiter.
  const start = i
  while (i < s.length) {
    const d = s.charCodeAt(i)
    if (d === 0x2c || d === 0x7d || d === 0x5d || isWs(d)) break
    i++
  }
  return i > start ? i : -1
}

/** The top-level fields of a JSON object text; null when the text is not one. */
export const scanTopLevel = (s: string): TopLevel | null => {
  const fields = new Map<string, { start: number; end: number }>()
  let i = skipWs(s, 0)
  if (s.charCodeAt(i) !== 0x7b) return null
  i = skipWs(s, i + 1)
  if (s.charCodeAt(i) === 0x7d) return skipWs(s, i + 1) === s.length ? { fields, close: i } : null
  for (;;) {
    if (s.charCodeAt(i) !== 0x22) return null
    const keyEnd = skipString(s, i)
    if (keyEnd < 0) return null
    let key: string
    try {
      key = JSON.parse(s.slice(i, keyEnd)) as string
    } catch {
      return null
    }
    i = skipWs(s, keyEnd)
    if (s.charCodeAt(i) !== 0x3a) return null
    const start = skipWs(s, i + 1)
    const end = skipValue(s, start)
    if (end < 0) return null
    fields.set(key, { start, end })
    i = skipWs(s, end)
    const c = s.charCodeAt(i)
    if (c === 0x7d) return skipWs(s, i + 1) === s.length ? { fields, close: i } : null
    if (c !== 0x2c) return null
    i = skipWs(s, i + 1)
  }
}

/**
 * Sets top-level keys to the given JSON value texts: in place when the key exists, otherwise
 * appended before the closing brace. Null when `s` is not a JSON object.
 */
export const spliceTopLevel = (
  s: string,
  values: ReadonlyArray<readonly [key: string, json: string]>,
  top: TopLevel | null = scanTopLevel(s),
): string | null => {
  if (!top) return null
  const edits: Array<{ start: number; end: number; text: string }> = []
  let appended = ''
  let empty = top.fields.size === 0
  for (const [key, json] of values) {
    const at = top.fields.get(key)
    if (at) edits.push({ start: at.start, end: at.end, text: json })
    else {
      appended += `${empty ? '' : ','}${JSON.stringify(key)}:${json}`
      empty = false
    }
  }
  if (appended) edits.push({ start: top.close, end: top.close, text: appended })
  edits.sort((a, b) => a.start - b.start)
  let out = ''
  let from = 0
  for (const e of edits) {
    out += s.slice(from, e.start) + e.text
    from = e.end
  }
  return out + s.slice(from)
}
