// A group's failover rules (issue 11 §6), compiled once per config reload: each matches an
// upstream error by status, provider error code and message, and says what the gateway does.
import type { FailoverRule } from '../store/types'

export type FailoverAction = FailoverRule['action']

interface CompiledRule {
  lo: number
  hi: number
  code: string | null
  message: string | null
  regex: RegExp | null
  action: FailoverAction
}

export interface FailoverRules {
  /** Whether any rule names this status: only then is the body read for them. */
  covers(status: number): boolean
  /** The first matching rule's action, or null. `body` is the upstream's error body. */
  match(status: number, body: string): FailoverAction | null
  readonly rules: readonly CompiledRule[]
}

/** The longest message a rule looks at: bounds the work of a pattern on a huge error body. */
const MESSAGE_CAP = 2048

/**
 * "429" or 429 → [429, 429]; "500-599" → [500, 599]; null when malformed. Only error statuses
 * (400-999): a rule on a success would make the gateway read, and hold, a stream's body.
 */
export const parseStatusSpec = (spec: number | string): [number, number] | null => {
  const m = /^\s*(\d{3})(?:\s*-\s*(\d{3}))?\s*$/.exec(String(spec))
  if (!m) return null
  const lo = Number(m[1])
  const hi = m[2] ? Number(m[2]) : lo
  return lo >= 400 && hi <= 999 && lo <= hi ? [lo, hi] : null
}

const REPEAT = new Set(['+', '*', '{'])

/** Past a group's opening: `(?:`, `(?=`, `(?!`, `(?<=`, `(?<!` and `(?<name>`. */
const groupPrefixEnd = (p: string, i: number): number => {
  if (p[i + 1] !== '?') return i
  if (p[i + 2] !== '<') return i + 2
  if (p[i + 3] === '=' || p[i + 3] === '!') return i + 3
  const close = p.indexOf('>', i)
  return close < 0 ? i : close
}

/**
 * Whether a repeated group holds a repetition or an alternative (`(a+)+`, `(a|aa)*`), the shape
 * of catastrophic backtracking. A small scan: escapes and classes are skipped.
 */
const repeatsRepetition = (p: string): boolean => {
  const risky: boolean[] = []
  for (let i = 0; i < p.length; i++) {
    const c = p[i]
    if (c === '\\') i++
    else if (c === '[') {
      for (i++; i < p.length && p[i] !== ']'; i++) if (p[i] === '\\') i++
    } else if (c === '(') {
      risky.push(false)
      i = groupPrefixEnd(p, i)
    } else if (c === ')') {
      const inner = risky.pop() ?? false
      const repeated = REPEAT.has(p[i + 1] ?? '')
      if (inner && repeated) return true
      if ((inner || repeated) && risky.length) risky[risky.length - 1] = true
    } else if ((REPEAT.has(c) || c === '?' || c === '|') && risky.length) {
      risky[risky.length - 1] = true
    }
  }
  return false
}

/** Why a pattern is refused, or null. Backreferences can backtrack without bound as well. */
export const unsafePattern = (pattern: string): string | null => {
  try {
    new RegExp(pattern, 'i')
  } catch {
    return 'is not a valid regular expression'
  }
  if (/\\[1-9]|\\k</.test(pattern)) return 'must not use backreferences'
  if (repeatsRepetition(pattern)) {
    return 'must not repeat a group that holds a repetition or an alternative, e.g. (a+)+'
  }
  return null
}

const compileRule = (r: FailoverRule): CompiledRule | null => {
  const range = parseStatusSpec(r.status)
  // A stored pattern is checked again: a hand-edited row must not reach the hot path unsafe.
  if (!range || (r.message_regex && unsafePattern(r.message_regex))) return null
  return {
    lo: range[0],
    hi: range[1],
    code: r.code ? r.code.toLowerCase() : null,
    message: r.message ? r.message.toLowerCase() : null,
    regex: r.message_regex ? new RegExp(r.message_regex, 'i') : null,
    action: r.action,
  }
}

/** The provider's error code, type and status (OpenAI, Anthropic, Gemini), lower-cased. */
const errorOf = (body: string): { codes: string[]; message: string } => {
  try {
    let j = JSON.parse(body) as unknown
    // Gemini answers some errors as a one-element array.
    if (Array.isArray(j)) j = j[0]
    const e = (j as { error?: unknown } | null)?.error
    if (e && typeof e === 'object') {
      const o = e as Record<string, unknown>
      const codes = [o.code, o.type, o.status]
        .filter((v) => typeof v === 'string' || typeof v === 'number')
        .map((v) => String(v).toLowerCase())
      const message = typeof o.message === 'string' ? o.message : body
      return { codes, message: message.slice(0, MESSAGE_CAP) }
    }
  } catch {
    // Not JSON: the whole text is the message.
  }
  return { codes: [], message: body.slice(0, MESSAGE_CAP) }
}

const toRules = (rules: CompiledRule[]): FailoverRules | null => {
  if (rules.length === 0) return null
  const table = new Uint8Array(1000)
  for (const r of rules) table.fill(1, r.lo, r.hi + 1)
  return {
    rules,
    covers: (status) => status >= 0 && status < 1000 && table[status] === 1,
    match(status, body) {
      let err: ReturnType<typeof errorOf> | null = null
      for (const r of rules) {
        if (status < r.lo || status > r.hi) continue
        if (r.code || r.message || r.regex) {
          err ??= errorOf(body)
          if (r.code && !err.codes.includes(r.code)) continue
          if (r.message && !err.message.toLowerCase().includes(r.message)) continue
          if (r.regex && !r.regex.test(err.message)) continue
        }
        return r.action
      }
      return null
    },
  }
}

/** Null when the group has no usable rule, so the hot path pays one null check. */
export const compileFailoverRules = (rules: readonly FailoverRule[] | null): FailoverRules | null =>
  toRules((rules ?? []).flatMap((r) => compileRule(r) ?? []))

/** An aggregate's rules first, then its member's: first match wins over both. */
export const joinFailoverRules = (
  first: FailoverRules | null,
  then: FailoverRules | null,
): FailoverRules | null =>
  first && then ? toRules([...first.rules, ...then.rules]) : (first ?? then)
