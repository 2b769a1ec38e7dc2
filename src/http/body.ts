// A request body as an adapter read it: one buffer, or the chunks it arrived in. The Node adapter
// keeps a large body's socket chunks instead of joining them: for a 1 MiB body the join was about
// a fifth of the request's CPU, its copy plus the second MiB of external memory that brings on
// V8's full collections sooner. Only what needs the bytes in one piece joins them.

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

/** The body in one piece: as it is when it is one, else joined once into a new buffer. */
export const joinBody = (body: BodyBytes): Uint8Array => {
  if (!Array.isArray(body)) return body as Uint8Array
  if (body.length === 1) return body[0]!
  const out = new Uint8Array(bodyLength(body))
  let at = 0
  for (const part of body) {
    out.set(part, at)
    at += part.byteLength
  }
  return out
}
