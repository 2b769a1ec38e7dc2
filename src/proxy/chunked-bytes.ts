// A body's chunks read as if they were one byte array, for the body scans: a byte by index, a
// search for one byte (each chunk's own indexOf, which is native memchr on Node's Buffers), and a
// range, copied only when it crosses a chunk's end.
import type { BodyBytes } from '../http/body'

export class ChunkedBytes {
  readonly length: number
  private readonly parts: readonly Uint8Array[]
  private readonly starts: number[] = []
  /** The body when it is one piece, as most small bodies are: read without the part lookup. */
  private readonly one: Uint8Array | null
  /** The part read last: the scan moves mostly forward, a few bytes at a time. */
  private k = 0

  constructor(body: BodyBytes) {
    this.parts = Array.isArray(body) ? body : [body as Uint8Array]
    this.one = this.parts.length === 1 ? this.parts[0]! : null
    let n = 0
    for (const part of this.parts) {
      this.starts.push(n)
      n += part.byteLength
    }
    this.length = n
  }

  /** The part that holds byte `i`, for 0 ≤ i < length. */
  private partOf(i: number) {
    const { starts } = this
    let k = this.k
    while (i < starts[k]!) k--
    while (k + 1 < starts.length && i >= starts[k + 1]!) k++
    return (this.k = k)
  }

  at(i: number): number | undefined {
    // A typed array reads undefined out of its bounds too.
    if (this.one !== null) return this.one[i]
    if (i < 0 || i >= this.length) return undefined
    const k = this.partOf(i)
    return this.parts[k]![i - this.starts[k]!]
  }

  indexOf(byte: number, from: number): number {
    if (from >= this.length) return -1
    if (this.one !== null) return this.one.indexOf(byte, Math.max(from, 0))
    for (let k = this.partOf(Math.max(from, 0)); k < this.parts.length; k++) {
      const start = this.starts[k]!
      const found = this.parts[k]!.indexOf(byte, Math.max(from - start, 0))
      if (found >= 0) return start + found
    }
    return -1
  }

  /** Bytes `from` up to `to`: a view into one chunk, or a copy when they span several. */
  slice(from: number, to: number): Uint8Array {
    if (to <= from) return new Uint8Array(0)
    const k = this.partOf(from)
    const start = this.starts[k]!
    const first = this.parts[k]!
    if (to <= start + first.byteLength) return first.subarray(from - start, to - start)
    const out = new Uint8Array(to - from)
    let at = 0
    for (const piece of this.views(from, to, [])) {
      out.set(piece, at)
      at += piece.byteLength
    }
    return out
  }

  /** Appends views of bytes `from` up to `to` to `out`, one per chunk they touch; no copy. */
  views(from: number, to: number, out: Uint8Array[]): Uint8Array[] {
    if (to <= from) return out
    for (let k = this.partOf(from); k < this.parts.length && this.starts[k]! < to; k++) {
      const start = this.starts[k]!
      const part = this.parts[k]!
      out.push(part.subarray(Math.max(from - start, 0), Math.min(to - start, part.byteLength)))
    }
    return out
  }
}
