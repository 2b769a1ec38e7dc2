// What the upstream fetch of every server adapter (Node's undici, the Bun binary's fetch) shares:
// the request headers it may send, and errors that never carry a query key or proxy credentials.

import { bodyLength } from '../../src/http/body'
import type { UpstreamRequest } from '../../src/deps'

// RFC 9110 §7.6.1 hop-by-hop fields, plus those undici refuses to send (it frames bodies itself).
const REQUEST_SKIP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'host',
  'content-length',
  'expect',
])

/**
 * Names are lower-case by the FetchFn contract, so one pass filters them. A body in chunks gets
 * its content-length here: the client's is dropped with the other framing headers, and an
 * iterable body would otherwise go chunked.
 */
export const toRequestHeaders = (
  headers: Record<string, string>,
  body?: UpstreamRequest['body'],
): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const name in headers) {
    if (!REQUEST_SKIP.has(name) && !name.startsWith('proxy-')) out[name] = headers[name]
  }
  if (Array.isArray(body)) out['content-length'] = String(bodyLength(body))
  return out
}

/**
 * fetch-like TypeError with undici's code; the message never carries the query (`?key=`) nor
 * the proxy's credentials.
 */
export const toFetchError = (err: unknown, url: URL, proxy: string | undefined) => {
  const cause = err as { message?: string; code?: string }
  let detail = redactProxy(String(cause?.message ?? err), proxy)
  for (const value of url.searchParams.values()) {
    if (value.length >= 4) detail = detail.split(value).join('[redacted]')
  }
  if (url.search) detail = detail.split(url.search).join('')
  const error = new TypeError(`upstream ${url.origin}${url.pathname} failed: ${detail}`)
  return Object.assign(error, { code: cause?.code })
}

/** Removes a proxy URL's credentials from a text: any `user:pass@` and the bare password. */
export const redactProxy = (text: string, proxy: string | undefined) => {
  if (!proxy) return text
  let out = text.replace(/\/\/[^/@\s]*@/g, '//')
  try {
    const u = new URL(proxy)
    for (const v of new Set([u.password, safeDecode(u.password)])) {
      if (v.length >= 3) out = out.split(v).join('[redacted]')
    }
  } catch {
    // An unparsable proxy URL: the pattern above is all we can do.
  }
  return out
}

const safeDecode = (s: string) => {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}
