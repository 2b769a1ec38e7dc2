// The Bun binary's upstream fetch: Bun's own fetch, which keeps a keep-alive pool per origin. No
// redirect is followed and no body decompressed. A group's `proxy_url`, or else HTTP(S)_PROXY
// (with NO_PROXY), routes the call through an HTTP(S) proxy as on Node; Bun's fetch cannot speak
// SOCKS5, so a socks5:// proxy fails the call rather than going out directly. Bun's fetch has
// no connect timeout: a host (or proxy) not answered within the last few seconds is first
// reached with a plain TCP connect bounded by it, and the headers timeout aborts the call.
import { connect } from 'node:net'
import type { FetchFn, UpstreamResponse } from '../../src/deps'
import { onePiece } from '../../src/http/body'
import { toFetchError, toRequestHeaders } from '../node/fetch-common'

type ProxyEnv = Record<string, string | undefined>

export type BunFetch = FetchFn & { close: () => Promise<void> }

// RFC 9110 §7.6.1 hop-by-hop fields, which never go back to the client.
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade'])

/** Under most servers' keep-alive (Node's is 5 s): a pooled connection is then likely open. */
const WARM_MS = 4000

const pick = (env: ProxyEnv, name: string) => env[name.toLowerCase()] || env[name] || ''

const timeoutError = (code: string, message: string) =>
  Object.assign(new Error(message), { name: 'TimeoutError', code })

/** A plain TCP connect to host:port within `ms`, closed at once; `signal` gives up on it. */
const reach = (url: URL, ms: number, signal: AbortSignal) =>
  new Promise<void>((ok, fail) => {
    const host = url.hostname.replace(/^\[|\]$/g, '')
    const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80)
    const socket = connect({ host, port })
    const done = (err?: unknown) => {
      clearTimeout(timer)
      signal.removeEventListener('abort', onAbort)
      socket.destroy()
      if (err) fail(err)
      else ok()
    }
    const onAbort = () => done(signal.reason)
    const timer = setTimeout(
      () =>
        done(
          timeoutError(
            'CONNECT_TIMEOUT',
            `Connect Timeout Error (attempted address: ${host}:${port}, timeout: ${ms}ms)`,
          ),
        ),
      ms,
    )
    signal.addEventListener('abort', onAbort, { once: true })
    socket.once('connect', () => done())
    socket.once('error', done)
  })

/** Lower-case plain headers without hop-by-hop fields (and those Connection names), cookies apart. */
const toParts = (headers: Headers) => {
  const plain: Record<string, string> = {}
  const listed = (headers.get('connection') ?? '')
    .toLowerCase()
    .split(',')
    .map((s) => s.trim())
  headers.forEach((value, name) => {
    if (name === 'set-cookie' || HOP.has(name) || name.startsWith('proxy-')) return
    if (!listed.includes(name)) plain[name] = value
  })
  const cookies = headers.getSetCookie()
  return { headers: plain, cookies: cookies.length > 0 ? cookies : undefined }
}

export const createBunFetch = (env: ProxyEnv): BunFetch => {
  // Read once, as Node's adapter does; Bun's own fallback to ALL_PROXY is not Node's behaviour.
  const httpProxy = pick(env, 'HTTP_PROXY')
  const httpsProxy = pick(env, 'HTTPS_PROXY') || httpProxy
  const answered = new Map<string, number>()

  const fetchFn: FetchFn = async (url, req) => {
    const explicit = req.proxy || ''
    const proxy = explicit || (url.protocol === 'https:' ? httpsProxy : httpProxy)
    if (/^socks/i.test(proxy)) {
      throw toFetchError(
        new Error('SOCKS5 proxies are not supported by the Bun binary (use an HTTP proxy)'),
        url,
        proxy,
      )
    }
    const t = req.timeouts
    const ac = new AbortController()
    const onAbort = () => ac.abort(req.signal!.reason)
    req.signal?.addEventListener('abort', onAbort, { once: true })
    let timer: ReturnType<typeof setTimeout> | undefined
    const arm = (ms: number | undefined, code: string, what: string) => {
      clearTimeout(timer)
      if (ms !== undefined) {
        timer = setTimeout(() => ac.abort(timeoutError(code, `${what} Timeout Error`)), ms)
      }
    }
    const start = Date.now()
    let streaming = false
    try {
      if (req.signal?.aborted) throw req.signal.reason
      const hop = proxy ? new URL(proxy) : url
      const hopId = hop.host
      // A plain request's total limit bounds the connect and the wait for headers too.
      const left = () => (t?.total ? t.total - (Date.now() - start) : Infinity)
      if (t && Date.now() - (answered.get(hopId) ?? -Infinity) > WARM_MS) {
        await reach(hop, Math.min(t.connect, left()), ac.signal)
      }
      arm(t && Math.min(t.headers, left()), 'HEADERS_TIMEOUT', 'Headers')
      const res = await fetch(url, {
        method: req.method,
        headers: toRequestHeaders(req.headers),
        // The bytes are the request's own; the DOM typing wants an ArrayBuffer-backed view.
        body: onePiece(req.body) as BodyInit | null,
        redirect: 'manual',
        decompress: false,
        signal: ac.signal,
        // Bun's 5-minute idle cut would end a quiet stream; the core bounds streams itself.
        timeout: false,
        // An explicit proxy_url is used for every host, as on Node; NO_PROXY applies to the env's.
        proxy: proxy ? { url: proxy, respectNoProxy: !explicit } : false,
      })
      answered.set(hopId, Date.now())
      const parts = toParts(res.headers)
      if (!res.body) return { status: res.status, ...parts, body: null }
      if (t?.total) {
        // A plain answer is read whole within what is left of its total.
        arm(left(), 'BODY_TIMEOUT', 'Body')
        const body = new Uint8Array(await res.arrayBuffer())
        return { status: res.status, ...parts, body }
      }
      // The listener stays: a client that leaves mid-stream stops the upstream call.
      streaming = true
      return { status: res.status, ...parts, body: res.body } satisfies UpstreamResponse
    } catch (err) {
      const cause = ac.signal.aborted && !req.signal?.aborted ? ac.signal.reason : err
      throw req.signal?.aborted ? err : toFetchError(cause, url, req.proxy)
    } finally {
      clearTimeout(timer)
      if (!streaming) req.signal?.removeEventListener('abort', onAbort)
    }
  }
  return Object.assign(fetchFn, { close: async () => {} })
}
