// Where clients put credentials (v1 §2.1, §2.6): `?key=`, `Authorization: Bearer`, `x-api-key`,
// `x-goog-api-key`, in that order. Shared by admin auth and proxy auth.
import type { Context } from 'hono'

export const extractKey = (c: Context): string | null => {
  const url = c.req.url
  const q = url.indexOf('?')
  if (q >= 0 && url.includes('key=', q)) {
    const k = new URLSearchParams(url.slice(q + 1)).get('key')
    if (k) return k
  }
  const auth = c.req.header('authorization')
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim() || null
  return c.req.header('x-api-key') || c.req.header('x-goog-api-key') || null
}
