// Gemini's rate-limit signals live in the 429 body, as google.rpc details: RetryInfo.retryDelay
// (a protobuf Duration such as "43s" or "0.5s") and QuotaFailure, whose quotaId tells a
// per-minute quota from a per-day one. A per-day quota resets at midnight Pacific time.
import { retryAfterAt } from './rate-limit'

interface Detail {
  '@type'?: unknown
  retryDelay?: unknown
  violations?: Array<{ quotaId?: unknown; quotaDimensions?: { model?: unknown } }>
}

// Built on first use: ICU loading a time zone costs about a tenth of a node's start-up.
let pacific: Intl.DateTimeFormat | undefined
const pacificFormat = () =>
  (pacific ??= new Intl.DateTimeFormat('en-US', {
    timeZone: 'America/Los_Angeles',
    hourCycle: 'h23',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }))

/** The next midnight in America/Los_Angeles after `now` (epoch ms). */
export const nextPacificMidnight = (now: number): number => {
  const parts = Object.fromEntries(
    pacificFormat()
      .formatToParts(new Date(now))
      .map((p) => [p.type, Number(p.value)]),
  )
  const intoDay = ((parts.hour * 60 + parts.minute) * 60 + parts.second) * 1000 + (now % 1000)
  return now - intoDay + 86_400_000
}

/** The error's details, from `{error}` or the OpenAI-compatible endpoint's `[{error}]`. */
const detailsOf = (body: string): Detail[] => {
  if (!body.includes('@type')) return []
  try {
    const parsed: unknown = JSON.parse(body)
    const root = (Array.isArray(parsed) ? parsed[0] : parsed) as { error?: { details?: unknown } }
    const details = root?.error?.details
    return Array.isArray(details) ? (details as Detail[]) : []
  } catch {
    return []
  }
}

const DELAY = /^(\d+(?:\.\d+)?)s$/

/** When a Gemini 429 ends: the later of Retry-After, RetryInfo and a per-day quota's reset. */
export const geminiResetAt = (headers: Headers, now: number, body = ''): number | null => {
  let at = retryAfterAt(headers, now)
  const later = (t: number) => (at = at === null ? t : Math.max(at, t))
  for (const d of detailsOf(body)) {
    const type = String(d['@type'] ?? '')
    if (type.endsWith('google.rpc.RetryInfo')) {
      const m = DELAY.exec(String(d.retryDelay ?? ''))
      if (m) later(now + Math.round(Number(m[1]) * 1000))
    } else if (type.endsWith('google.rpc.QuotaFailure')) {
      const daily = d.violations?.some((v) => /PerDay/i.test(String(v?.quotaId ?? '')))
      if (daily) later(nextPacificMidnight(now))
    }
  }
  return at
}

/**
 * Gemini's quotas are per model (quotaId `…PerModel…`, dimension `model`); a QuotaFailure that
 * names only project-wide quotas cools the key for every model. A 429 without details is taken
 * as per model, the usual case.
 */
export const geminiPerModel = (body: string): boolean => {
  const violations = detailsOf(body).flatMap((d) =>
    String(d['@type'] ?? '').endsWith('google.rpc.QuotaFailure') ? (d.violations ?? []) : [],
  )
  return (
    violations.length === 0 ||
    violations.some(
      (v) => v?.quotaDimensions?.model !== undefined || /PerModel/i.test(String(v?.quotaId ?? '')),
    )
  )
}
