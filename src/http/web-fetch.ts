// A FetchFn over a Web `fetch` (Workers, Bun, tests): the portable path. The Node adapter injects
// a faster one over undici. `req.proxy` is ignored: Workers' fetch has no outbound proxy (the
// Node adapter is the one that honours `proxy_url`).
import type { FetchFn } from '../deps'

const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade'])

export const fromWebFetch =
  (webFetch: typeof fetch): FetchFn =>
  async (url, req) => {
    const total = req.timeouts?.total
    const signal = total
      ? req.signal
        ? AbortSignal.any([req.signal, AbortSignal.timeout(total)])
        : AbortSignal.timeout(total)
      : req.signal
    const res = await webFetch(url, {
      method: req.method,
      headers: req.headers,
      body: req.body as BodyInit | null,
      signal,
      redirect: 'manual',
    })
    const headers: Record<string, string> = {}
    res.headers.forEach((v, k) => {
      if (!HOP.has(k) && k !== 'set-cookie') headers[k] = v
    })
    const cookies =
      (res.headers as Headers & { getSetCookie?: () => string[] }).getSetCookie?.() ?? []
    return {
      status: res.status,
      headers,
      cookies: cookies.length ? cookies : undefined,
      body: res.body,
    }
  }
