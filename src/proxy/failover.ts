// Failover status sets such as "401,403,429,500-599": parsed once per group into a fast matcher.

export type StatusMatcher = (status: number) => boolean

/** Parses codes and inclusive ranges (100–999), comma or newline separated; null when malformed. */
export const parseStatusRanges = (spec: string): Array<[number, number]> | null => {
  const ranges: Array<[number, number]> = []
  for (const part of spec
    .split(/[,\n]/)
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^(\d{3})(?:\s*-\s*(\d{3}))?$/.exec(part)
    if (!m) return null
    const lo = Number(m[1])
    const hi = m[2] ? Number(m[2]) : lo
    if (lo < 100 || hi > 999 || lo > hi) return null
    ranges.push([lo, hi])
  }
  return ranges
}

export const createStatusMatcher = (spec: string): StatusMatcher => {
  const ranges = parseStatusRanges(spec) ?? []
  // A 1000-entry table makes each check one array read.
  const table = new Uint8Array(1000)
  for (const [lo, hi] of ranges) table.fill(1, lo, hi + 1)
  return (status) => status >= 0 && status < 1000 && table[status] === 1
}
