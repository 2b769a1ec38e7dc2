// A request body as an adapter read it: one buffer, or the chunks it arrived in. The Node adapter
// keeps a large body's socket chunks instead of joining them: the join of a 1 MiB body is a copy
// plus a second MiB outside V8's heap, which brings on full collections sooner (5–12% of
// edgeload's CPU for such a request, measured). Only what needs the bytes in one piece joins them.

export type BodyBytes = Uint8Array | readonly Uint8Array[]

export const bodyLength = (body: BodyBytes): number => {
  if (!Array.isArray(body)) return (body as Uint8Array).byteLength
  let n = 0
  for (const part of body) n += part.byteLength
  return n
}

/** An upstream body for a fetch that takes one piece: chunks joined, anything else as it is. */
export const onePiece = <T>(body: BodyBytes | T): Uint8Array | T =>
  Array.isArray(body) ? joinBody(body as BodyBytes) : (body as T)

// Each attempt's log row and each member of an aggregate may ask for the same body again.
const joined = new WeakMap<readonly Uint8Array[], Uint8Array>()

/** The body in one piece: as it is when it is one, else joined into a new buffer, once. */
export const joinBody = (body: BodyBytes): Uint8Array => {
  if (!Array.isArray(body)) return body as Uint8Array
  if (body.length === 1) return body[0]!
  const parts = body as readonly Uint8Array[]
  let out = joined.get(parts)
  if (out) return out
  out = new Uint8Array(bodyLength(parts))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.byteLength
  }
  joined.set(parts, out)
  return out
}
