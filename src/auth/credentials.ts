// Where clients put credentials (v1 §2.1, §2.6): `?key=`, `Authorization: Bearer`, `x-api-key`,
// `x-goog-api-key`, in that order. Shared by admin auth and proxy auth. Unlike v1, the Bearer
// scheme matches in any case, as RFC 9110 §11.1 says auth schemes do.
import type { Context } from 'hono'

/** Request headers as a plain object with lower-case names (Node's IncomingMessage shape). */
export type RawHeaders = Record<string, string | string[] | undefined>

export const firstValue = (v: string | string[] | undefined) => (typeof v === 'string' ? v : v?.[0])

export const keyFrom = (url: string, h: RawHeaders): string | null => {
  const q = url.indexOf('?')
  if (q >= 0 && url.includes('key=', q)) {
    const k = new URLSearchParams(url.slice(q + 1)).get('key')
    if (k) return k
  }
  const auth = firstValue(h.authorization)
  if (auth && auth.length > 7 && auth.slice(0, 7).toLowerCase() === 'bearer ')
    return auth.slice(7).trim() || null
  return firstValue(h['x-api-key']) || firstValue(h['x-goog-api-key']) || null
}

export const extractKey = (c: Context): string | null =>
  keyFrom(c.req.url, {
    authorization: c.req.header('authorization'),
    'x-api-key': c.req.header('x-api-key'),
    'x-goog-api-key': c.req.header('x-goog-api-key'),
  })
