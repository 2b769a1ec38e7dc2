// A FetchFn over a Web `fetch` (Workers, in-process tests): the portable path. The Node and Bun
// adapters inject their own. `req.proxy` is ignored: Workers' fetch has no outbound proxy.
import type { ClientSignal, FetchFn } from '../deps'
import { onePiece } from './body'

const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade'])

const noop = () => {}

/**
 * The client's abort and the total limit as one signal. A controller, a listener and a timer:
 * AbortSignal.any with AbortSignal.timeout cost workerd ~75 µs of CPU per request more
 * (bench:workers). The timer stays armed while the body is read, which the total covers too.
 */
const exchangeSignal = (client: ClientSignal | undefined, total: number | undefined) => {
  // A real signal without a limit goes as is; a lighter one gets a controller of its own.
  if (!total && (!client || client instanceof AbortSignal)) return { signal: client, disarm: noop }
  const ctrl = new AbortController()
  const abort = () => ctrl.abort(client?.reason)
  if (client?.aborted) abort()
  else client?.addEventListener('abort', abort, { once: true })
  const timer = total
    ? setTimeout(
        () => ctrl.abort(new DOMException('The operation timed out.', 'TimeoutError')),
        total,
      )
    : undefined
  return { signal: ctrl.signal, disarm: () => clearTimeout(timer) }
}

export const fromWebFetch =
  (webFetch: typeof fetch): FetchFn =>
  async (url, req) => {
    const { signal, disarm } = exchangeSignal(req.signal, req.timeouts?.total)
    let res: Response
    try {
      res = await webFetch(url, {
        method: req.method,
        headers: req.headers,
        body: onePiece(req.body) as BodyInit | null,
        signal,
        redirect: 'manual',
      })
    } catch (err) {
      disarm()
      throw err
    }
    if (!res.body) disarm()
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
