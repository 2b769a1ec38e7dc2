// Request-log ids as UUIDv7 (RFC 9562): the millisecond first, then random bits. Rows then land
// at the end of the id index instead of at random pages: a SQLite batch insert costs ~40% less
// CPU per row (16 against 26 µs at 200k rows), and ids sort roughly by time.

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))
// The random tails ("xxx-yxxx-xxxxxxxxxxxx", 74 random bits, y the variant) are made 256 at a
// time into one flat string and sliced: per id this took 0.5 µs where randomUUID, toString(16)
// and the concatenations took 1.1 µs (with its JSON, a new millisecond per row).
const TAILS = 256
const TAIL = 21
let tails = ''
let next = TAILS
// The last millisecond's time part: several rows share one under load.
let lastMs = -1
let timePart = ''

/** Bytes `from` … `to` of `r` as hex. */
const hex = (r: Uint8Array, from: number, to: number): string => {
  let s = ''
  for (let i = from; i < to; i++) s += HEX[r[i]!]
  return s
}

const refill = () => {
  const r = crypto.getRandomValues(new Uint8Array(TAILS * 10))
  const out: string[] = []
  for (let i = 0; i < r.length; i += 10) {
    const rand = HEX[r[i]! & 0x0f]![1]! + HEX[r[i + 1]!]
    const variant = HEX[(r[i + 2]! & 0x3f) | 0x80]! + HEX[r[i + 3]!]
    out.push(`${rand}-${variant}-${hex(r, i + 4, i + 10)}`)
  }
  tails = out.join('')
  next = 0
}

/** `tttttttt-tttt-7`: the 48-bit millisecond and the version. */
const timePartOf = (at: number): string => {
  const hi = Math.floor(at / 2 ** 32)
  const lo = at >>> 0
  const high = HEX[hi >>> 8]! + HEX[hi & 255] + HEX[lo >>> 24] + HEX[(lo >>> 16) & 255]
  return `${high}-${HEX[(lo >>> 8) & 255]}${HEX[lo & 255]}-7`
}

/** A UUIDv7 for `ms` (clamped to 0 … 2^48 - 1), with 74 random bits from getRandomValues. */
export const timeOrderedId = (ms: number): string => {
  const at = Math.min(Math.max(0, Math.floor(ms)), 2 ** 48 - 1)
  if (at !== lastMs) {
    lastMs = at
    timePart = timePartOf(at)
  }
  if (next === TAILS) refill()
  const start = next++ * TAIL
  return timePart + tails.slice(start, start + TAIL)
}
