// The Node adapter's upstream fetch: a FetchFn over one long-lived keep-alive undici Pool per
// origin. Global fetch costs ~3.5× more CPU per request on Node 20 (see shared stack notes).
// A group's `proxy_url`, or else HTTP(S)_PROXY, routes the call through a proxy agent instead.
// No redirect is ever followed (a 3xx goes back to the client as is), so no credential can be
// sent on to another host.
import { Pool } from './undici'
import type { Dispatcher } from 'undici'
import type { FetchFn, UpstreamResponse } from '../../src/deps'
import { exactConnector } from './connector'
import { toFetchError, toRequestHeaders } from './fetch-common'
import { createProxyDispatchers, type ProxyEnv } from './proxy'
import { UpstreamHandler } from './upstream-handler'

export interface UndiciFetchOptions {
  /** Sockets per origin; null means unlimited (undici's default). */
  connections?: number | null
  /** Idle keep-alive in ms when the upstream sends no hint (undici's default is 4 s). */
  keepAliveTimeout?: number
  /** Used when a call passes no `timeouts`. */
  connectTimeout?: number
  headersTimeout?: number
  /** Source of HTTP_PROXY/HTTPS_PROXY/NO_PROXY for calls without `proxy`; process.env. */
  env?: ProxyEnv
}

export type UndiciFetch = FetchFn & {
  /** Destroys every pool; in-flight requests fail. */
  close: () => Promise<void>
}

export const createUndiciFetch = (opts: UndiciFetchOptions = {}): UndiciFetch => {
  const pools = new Map<string, Pool>()
  const proxies = createProxyDispatchers(opts)

  // Pools are keyed by connect timeout too: undici fixes it per pool, not per request.
  const poolFor = (origin: string, connectTimeout: number | undefined) => {
    const id = `${origin} ${connectTimeout ?? ''}`
    let pool = pools.get(id)
    if (!pool) {
      pool = new Pool(origin, {
        connections: opts.connections ?? null,
        keepAliveTimeout: opts.keepAliveTimeout,
        connect: exactConnector(connectTimeout),
        bodyTimeout: 0,
      })
      pools.set(id, pool)
    }
    return pool
  }

  const fetchFn: FetchFn = (url, req) => {
    const t = req.timeouts
    const connectTimeout = t?.connect ?? opts.connectTimeout
    // The total limit of a plain request first bounds the wait for headers (undici's own cheap
    // timers); only a body that is still streaming after that gets a timer of its own.
    const headersTimeout = t?.total
      ? Math.min(t.total, t.headers)
      : (t?.headers ?? opts.headersTimeout)
    const method = req.method.toUpperCase()
    return new Promise<UpstreamResponse>((resolve, reject) => {
      const fail = (err: unknown) =>
        reject(req.signal?.aborted ? err : toFetchError(err, url, req.proxy))
      const handler = new UpstreamHandler(
        method,
        req.signal,
        t?.total,
        Date.now(),
        resolve,
        fail,
        headersTimeout,
        req.hooks,
      )
      let dispatcher: Dispatcher
      try {
        dispatcher = req.proxy
          ? proxies.forUrl(req.proxy, connectTimeout)
          : (proxies.fromEnv(connectTimeout) ?? poolFor(url.origin, connectTimeout))
      } catch (err) {
        return fail(err)
      }
      dispatcher.dispatch(
        {
          // Proxy agents route by origin; a Pool ignores it.
          origin: url.origin,
          path: url.pathname + url.search,
          method,
          headers: toRequestHeaders(req.headers, req.body),
          // A body in chunks goes as undici's iterable body (sized by the header above): a chunk
          // per write, never joined. The typing lists only single-piece bodies.
          body: req.body as Buffer | string | null,
          headersTimeout,
          bodyTimeout: 0,
        },
        handler,
      )
    })
  }

  return Object.assign(fetchFn, {
    close: async () => {
      const all = [...pools.values()]
      pools.clear()
      await Promise.all([...all.map((p) => p.destroy().catch(noop)), proxies.close()])
    },
  })
}

const noop = () => {}
