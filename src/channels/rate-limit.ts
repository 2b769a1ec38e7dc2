// Rate-limit header parsing shared by the channels: when may a 429'd key be used again.

const UNIT_MS: Record<string, number> = {
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  us: 1e-3,
  µs: 1e-3,
  ns: 1e-6,
}

/** Go-style durations as OpenAI sends them (`1s`, `6m0s`, `20ms`, `1h2m3.5s`) in ms; null if not. */
export const parseDurationMs = (value: string): number | null => {
  const s = value.trim()
  if (s === '0') return 0
  // Sticky: each match must start where the previous ended; a failed exec resets lastIndex to 0.
  const re = /(\d+(?:\.\d*)?|\.\d+)(ms|us|µs|ns|h|m|s)/y
  let total = 0
  let m: RegExpExecArray | null
  while (re.lastIndex < s.length && (m = re.exec(s)) !== null) total += Number(m[1]) * UNIT_MS[m[2]]
  return s !== '' && re.lastIndex === s.length ? total : null
}

/** `Retry-After` (RFC 9110 §10.2.3: delay seconds or an HTTP date) and `retry-after-ms`. */
export const retryAfterAt = (headers: Headers, now: number): number | null => {
  const ms = headers.get('retry-after-ms')
  if (ms !== null && /^\s*\d+(\.\d+)?\s*$/.test(ms)) return now + Number(ms)
  const ra = headers.get('retry-after')
  if (ra === null) return null
  if (/^\s*\d+(\.\d+)?\s*$/.test(ra)) return now + Number(ra) * 1000
  const at = Date.parse(ra)
  return Number.isNaN(at) ? null : Math.max(at, now)
}

/** The latest reset among `names`, each parsed by `parse`; null when none parses. */
export const latestResetAt = (
  headers: Headers,
  names: readonly string[],
  parse: (value: string) => number | null,
): number | null => {
  let latest: number | null = null
  for (const name of names) {
    const v = headers.get(name)
    if (v === null) continue
    const at = parse(v)
    if (at !== null && (latest === null || at > latest)) latest = at
  }
  return latest
}

/** The latest reset among the limits whose `remaining` header is 0; null when none is used up. */
export const depletedAt = (
  headers: Record<string, string>,
  limits: ReadonlyArray<readonly [remaining: string, reset: string]>,
  parse: (value: string) => number | null,
): number | null => {
  let latest: number | null = null
  for (const [remaining, reset] of limits) {
    if (headers[remaining]?.trim() !== '0') continue
    const v = headers[reset]
    const at = v === undefined ? null : parse(v)
    if (at !== null && (latest === null || at > latest)) latest = at
  }
  return latest
}

const durationAt = (now: number) => (v: string) => {
  const d = parseDurationMs(v)
  return d === null ? null : now + d
}

const OPENAI_LIMITS = [
  ['x-ratelimit-remaining-requests', 'x-ratelimit-reset-requests'],
  ['x-ratelimit-remaining-tokens', 'x-ratelimit-reset-tokens'],
] as const

/** OpenAI: a used-up request or token limit, from the `x-ratelimit-*` pairs. */
export const openaiDepletedUntil = (headers: Record<string, string>, now: number): number | null =>
  depletedAt(headers, OPENAI_LIMITS, durationAt(now))

/** OpenAI: `x-ratelimit-reset-requests` / `-tokens` are durations; the later one wins. */
export const openaiResetAt = (headers: Headers, now: number): number | null =>
  retryAfterAt(headers, now) ??
  latestResetAt(
    headers,
    OPENAI_LIMITS.map(([, reset]) => reset),
    durationAt(now),
  )

const rfc3339At = (now: number) => (v: string) => {
  const at = Date.parse(v)
  return Number.isNaN(at) ? null : Math.max(at, now)
}

const ANTHROPIC_LIMITS = ['requests', 'tokens', 'input-tokens', 'output-tokens'].map(
  (n) => [`anthropic-ratelimit-${n}-remaining`, `anthropic-ratelimit-${n}-reset`] as const,
)

/** Anthropic: `anthropic-ratelimit-*-reset` are RFC 3339 instants. */
export const anthropicResetAt = (headers: Headers, now: number): number | null =>
  retryAfterAt(headers, now) ??
  latestResetAt(
    headers,
    ANTHROPIC_LIMITS.map(([, reset]) => reset),
    rfc3339At(now),
  )

/** Anthropic: a used-up request or token limit, from the `anthropic-ratelimit-*` pairs. */
export const anthropicDepletedUntil = (
  headers: Record<string, string>,
  now: number,
): number | null => depletedAt(headers, ANTHROPIC_LIMITS, rfc3339At(now))
