// Request parsing for the admin API: JSON bodies and query strings checked with zod. Any failure
// is a 400 whose message names the field, e.g. `upstreams.0.url: must be an http(s) URL`.
import type { Context } from 'hono'
import { z } from 'zod'
import { AppError, badRequest } from '../errors'
import { findIllFormed } from '../text'
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './respond'

// Per-parse messages for the generic cases; a schema's own messages take precedence.
const TYPE_NAMES: Record<string, string> = {
  int: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  array: 'an array',
  object: 'an object',
  record: 'an object',
}

const errorMap = (iss: { code?: string; expected?: string; input?: unknown }) => {
  if (iss.code !== 'invalid_type') return undefined
  if (iss.input === undefined) return 'is required'
  return `must be ${TYPE_NAMES[iss.expected ?? ''] ?? `of type ${iss.expected}`}`
}

const toMessage = (error: z.ZodError): string =>
  error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : 'body'}: ${i.message}`)
    .join('; ')

export const check = <S extends z.ZodType>(schema: S, value: unknown): z.output<S> => {
  const r = schema.safeParse(value, { error: errorMap })
  if (!r.success) throw badRequest(toMessage(r.error))
  return r.data
}

/** Parses the body as JSON (400 INVALID_JSON if it is not) and checks it against `schema`. */
export const readJson = async <S extends z.ZodType>(
  c: Context,
  schema: S,
): Promise<z.output<S>> => {
  const text = await c.req.text()
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new AppError(400, 'INVALID_JSON', 'Request body must be valid JSON')
  }
  // JSON may spell half an emoji (`"\ud83d"`); such text cannot be stored as UTF-8.
  const bad = findIllFormed(value)
  if (bad !== null)
    throw badRequest(
      `${bad}: must be valid Unicode (it holds an unpaired surrogate such as \\ud83d)`,
    )
  return check(schema, value)
}

/** Checks the query string; empty values mean "not given", as the SPA sends its whole form. */
export const readQuery = <S extends z.ZodType>(c: Context, schema: S): z.output<S> =>
  check(schema, Object.fromEntries(Object.entries(c.req.query()).filter(([, v]) => v !== '')))

/** A decimal integer in a query string or path segment. */
export const intString = (min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .regex(/^\d{1,15}$/, { error: 'must be an integer' })
    .transform(Number)
    .refine((n) => n >= min && n <= max, { error: `must be between ${min} and ${max}` })

export const idParam = (c: Context, name = 'id'): number =>
  check(intString(1), c.req.param(name) ?? '') as number

/** v1 pagination: page from 1, page_size 15 by default and clamped to 1000. */
export const pagingQuery = {
  page: intString(1).optional().default(1),
  page_size: intString(1)
    .optional()
    .default(DEFAULT_PAGE_SIZE)
    .transform((n) => Math.min(n, MAX_PAGE_SIZE)),
}

export const boolString = z
  .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
  .transform((s) => s === 'true' || s === '1')

/** A JSON integer, with "must be an integer" for strings and fractions alike. */
export const jsonInt = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .int({ error: (iss) => (iss.input === undefined ? 'is required' : 'must be an integer') })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` })
