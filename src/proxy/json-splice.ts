// A top-level JSON object scanner and splicer over the body's UTF-8 bytes: finds where each
// top-level value starts and ends, so overrides replace only those bytes. Unrelated fields (big
// integers, key order, spacing) stay exactly as the client sent them, unlike a parse + stringify
// (reference §8.1 #7). It reads bytes, not a decoded string: JSON's structure is ASCII, which
// UTF-8 never uses inside a multi-byte character, and a string's end is found by the chunk's
// native indexOf. A 1 MiB body is then neither joined, decoded nor re-encoded, nor walked in
// JavaScript: it is read in the chunks it came in, and a large result is those chunks' views.
import type { BodyBytes } from '../http/body'
import { ChunkedBytes } from './chunked-bytes'

export interface TopLevel {
  /** The body, read across its chunks. */
  bytes: ChunkedBytes
  /** Value byte range per key, by the last occurrence (JSON.parse keeps the last too). */
  fields: Map<string, { start: number; end: number }>
  /** Index of the closing `}`. */
  close: number
}

const QUOTE = 0x22
const BACKSLASH = 0x5c
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const encoder = new TextEncoder()

const MAX_PLAIN_KEY = 64

const isWs = (c: number | undefined) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09

const skipWs = (b: ChunkedBytes, i: number) => {
  while (isWs(b.at(i))) i++
  return i
}

/** Index just after the string starting at `i` (a `"`); -1 if it never ends. */
const skipString = (b: ChunkedBytes, i: number): number => {
  for (;;) {
    const q = b.indexOf(QUOTE, i + 1)
    if (q < 0) return -1
    // Escaped when an odd run of backslashes precedes it. Each run is counted once: O(n) overall.
    let n = 0
    while (b.at(q - 1 - n) === BACKSLASH) n++
    if (n % 2 === 0) return q + 1
    i = q
  }
}

/** Index just after the value starting at `i`; -1 when it is cut short or unbalanced. */
const skipValue = (b: ChunkedBytes, i: number): number => {
  const c = b.at(i)
  if (c === QUOTE) return skipString(b, i)
  if (c === 0x7b || c === 0x5b) {
    let depth = 0
    for (; i < b.length; i++) {
      const d = b.at(i)
      if (d === QUOTE) {
        i = skipString(b, i)
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
  while (i < b.length) {
    const d = b.at(i)
    if (d === 0x2c || d === 0x7d || d === 0x5d || isWs(d)) break
    i++
  }
  return i > start ? i : -1
}

/** A JSON text's bytes as a string; null when they are not UTF-8. */
export const textOf = (b: Uint8Array): string | null => {
  try {
    return decoder.decode(b)
  } catch {
    return null
  }
}

// Keys seen before, by a hash of their bytes: a request's keys (model, messages, stream…) repeat
// from request to request, so most are found here without making a string (~130 ns each).
// Cleared when full, as the client picks the keys.
const KEYS_MAX = 512
const keys = new Map<number, string>()

/** The plain key's string when the cache holds it: same length, same bytes. */
const knownKey = (b: ChunkedBytes, start: number, end: number, hash: number): string | null => {
  const k = keys.get(hash)
  if (k === undefined || k.length !== end - start) return null
  for (let j = 0; j < k.length; j++) if (k.charCodeAt(j) !== b.at(start + j)) return null
  return k
}

/** The key whose JSON string (quotes included) is b[start, end), decoded; null when invalid. */
const keyOf = (b: ChunkedBytes, start: number, end: number): string | null => {
  // Printable ASCII without escapes, as nearly every key is: its bytes are its characters, so it
  // needs neither the decoder nor JSON.parse (2 of a small body's 5 µs of overrides).
  const from = start + 1
  const to = end - 1
  let plain = to - from <= MAX_PLAIN_KEY
  let hash = to - from
  for (let j = from; plain && j < to; j++) {
    const c = b.at(j)!
    plain = c >= 0x20 && c < 0x80 && c !== BACKSLASH
    hash = (Math.imul(hash, 31) + c) | 0
  }
  if (plain) {
    const known = knownKey(b, from, to, hash)
    if (known !== null) return known
    const key = String.fromCharCode.apply(null, b.slice(from, to) as never)
    if (keys.size >= KEYS_MAX) keys.clear()
    keys.set(hash, key)
    return key
  }
  const text = textOf(b.slice(start, end))
  if (text === null) return null
  try {
    return JSON.parse(text) as string
  } catch {
    return null
  }
}

/** The top-level fields of a JSON object text; null when the text is not one. */
export const scanTopLevel = (body: BodyBytes): TopLevel | null => {
  const b = new ChunkedBytes(body)
  const fields = new Map<string, { start: number; end: number }>()
  let i = skipWs(b, 0)
  if (b.at(i) !== 0x7b) return null
  i = skipWs(b, i + 1)
  if (b.at(i) === 0x7d) return skipWs(b, i + 1) === b.length ? { bytes: b, fields, close: i } : null
  for (;;) {
    if (b.at(i) !== QUOTE) return null
    const keyEnd = skipString(b, i)
    if (keyEnd < 0) return null
    const key = keyOf(b, i, keyEnd)
    if (key === null) return null
    i = skipWs(b, keyEnd)
    if (b.at(i) !== 0x3a) return null
    const start = skipWs(b, i + 1)
    const end = skipValue(b, start)
    if (end < 0) return null
    fields.set(key, { start, end })
    i = skipWs(b, end)
    const c = b.at(i)
    if (c === 0x7d) return skipWs(b, i + 1) === b.length ? { bytes: b, fields, close: i } : null
    if (c !== 0x2c) return null
    i = skipWs(b, i + 1)
  }
}

// The bytes of the value texts spliced in, by their text: a group's overrides are the same
// strings on every request. Cleared when full, as redirected model names could otherwise grow it
// without end.
const ENCODED_MAX = 512
const encoded = new Map<string, Uint8Array>()
const bytesOf = (text: string): Uint8Array => {
  let out = encoded.get(text)
  if (out) return out
  if (encoded.size >= ENCODED_MAX) encoded.clear()
  out = encoder.encode(text)
  encoded.set(text, out)
  return out
}
// `"key":value` by key and value text, which are the group's own strings on every request: a
// lookup by them spares building and hashing the member's text anew.
const members = new Map<string, Map<string, Uint8Array>>()
const memberOf = (key: string, json: string): Uint8Array => {
  const byValue = members.get(key)
  const out = byValue?.get(json)
  if (out) return out
  if (members.size >= ENCODED_MAX) members.clear()
  const bytes = encoder.encode(`${JSON.stringify(key)}:${json}`)
  members.set(key, (byValue && byValue.size < ENCODED_MAX ? byValue : new Map()).set(json, bytes))
  return bytes
}
const COMMA = new Uint8Array([0x2c])

// A small result is copied into a shared slab, as Node's Buffer pool does: a typed array of its
// own past 64 bytes is a native allocation (~300 ns for 100 bytes, ~50 ns a view). A view keeps
// its slab alive only as long as the request holds the body. A larger result is left in pieces.
const SLAB_BYTES = 64 << 10
const SLAB_MAX = 4 << 10
let slab = new ArrayBuffer(SLAB_BYTES)
let slabUsed = 0
const allocBytes = (size: number): Uint8Array<ArrayBuffer> => {
  if (slabUsed + size > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES)
    slabUsed = 0
  }
  const out = new Uint8Array(slab, slabUsed, size)
  // Aligned to 8, so views never share a word.
  slabUsed += (size + 7) & ~7
  return out
}

/** The pieces in one array: small ones in the slab, large ones as they are (no copy). */
const assemble = (pieces: Uint8Array[], size: number): BodyBytes => {
  if (size > SLAB_MAX) return pieces
  const out = allocBytes(size)
  let at = 0
  for (const piece of pieces) {
    out.set(piece, at)
    at += piece.byteLength
  }
  return out
}

/**
 * Sets top-level keys to the given JSON value texts: in place when the key exists, otherwise
 * appended before the closing brace. Null when the body is not a JSON object. The result is one
 * array when small, else the body's chunks and the new bytes as views (a 1 MiB body is not
 * copied).
 */
export const spliceTopLevel = (
  body: BodyBytes,
  values: Iterable<readonly [key: string, json: string]>,
  top: TopLevel | null = scanTopLevel(body),
): BodyBytes | null => {
  if (!top) return null
  const b = top.bytes
  const edits: Array<{ start: number; end: number; parts: Uint8Array[] }> = []
  const appended: Uint8Array[] = []
  let empty = top.fields.size === 0
  for (const [key, json] of values) {
    const at = top.fields.get(key)
    if (at) edits.push({ start: at.start, end: at.end, parts: [bytesOf(json)] })
    else {
      if (!empty) appended.push(COMMA)
      appended.push(memberOf(key, json))
      empty = false
    }
  }
  if (appended.length) edits.push({ start: top.close, end: top.close, parts: appended })
  if (edits.length > 1) edits.sort((x, y) => x.start - y.start)
  const pieces: Uint8Array[] = []
  let size = b.length
  let from = 0
  for (const e of edits) {
    b.views(from, e.start, pieces)
    size -= e.end - e.start
    for (const part of e.parts) {
      pieces.push(part)
      size += part.byteLength
    }
    from = e.end
  }
  b.views(from, b.length, pieces)
  return assemble(pieces, size)
}
