// The Node adapter's upstream fetch: a FetchFn over one long-lived keep-alive undici Pool per
// origin. Global fetch costs ~3.5× more CPU per request on Node 20 (see shared stack notes).
import type { IncomingHttpHeaders } from 'node:http'
import type { Readable } from 'node:stream'
import { Pool } from 'undici'
import type { BodyEnd, FetchFn } from '../../src/deps'

export interface UndiciFetchOptions {
  /** Sockets per origin; null means unlimited (undici's default). */
  connections?: number | null
  /** Idle keep-alive in ms when the upstream sends no hint (undici's default is 4 s). */
  keepAliveTimeout?: number
  /** Used when a call passes no `timeouts`. */
  connectTimeout?: number
  headersTimeout?: number
}

export type UndiciFetch = FetchFn & {
  /** Destroys every pool; in-flight requests fail. */
  close: () => Promise<void>
}

// RFC 9110 §7.6.1 hop-by-hop fields, plus those undici refuses to send (it frames bodies itself).
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade'])
const REQUEST_SKIP = new Set([...HOP, 'host', 'content-length', 'expect'])
const isHop = (name: string) => HOP.has(name) || name.startsWith('proxy-')

// Statuses whose Response must have a null body (fetch spec "null body status").
const NULL_BODY = new Set([101, 103, 204, 205, 304])

export const createUndiciFetch = (opts: UndiciFetchOptions = {}): UndiciFetch => {
  const pools = new Map<string, Pool>()

  // Pools are keyed by connect timeout too: undici fixes it per pool, not per request.
  const poolFor = (origin: string, connectTimeout: number | undefined) => {
    const id = `${origin} ${connectTimeout ?? ''}`
    let pool = pools.get(id)
    if (!pool) {
      pool = new Pool(origin, {
        connections: opts.connections ?? null,
        keepAliveTimeout: opts.keepAliveTimeout,
        connect: connectTimeout === undefined ? undefined : { timeout: connectTimeout },
        bodyTimeout: 0,
      })
      pools.set(id, pool)
    }
    return pool
  }

  const fetchFn: FetchFn = async (url, req) => {
    const method = req.method.toUpperCase()
    const t = req.timeouts
    const pool = poolFor(url.origin, t?.connect ?? opts.connectTimeout)
    const started = Date.now()
    // The total limit of a plain request first bounds the wait for headers (undici's own cheap
    // timers); only a body that is still streaming after that gets a timer of its own.
    const headersTimeout = t?.total
      ? Math.min(t.total, t.headers)
      : (t?.headers ?? opts.headersTimeout)
    let res
    try {
      res = await pool.request({
        path: url.pathname + url.search,
        method,
        headers: toRequestHeaders(req.headers),
        body: req.body,
        signal: req.signal,
        headersTimeout,
        bodyTimeout: 0,
      })
    } catch (err) {
      // Like fetch: an aborted call rejects with the signal's reason.
      if (req.signal?.aborted) throw req.signal.reason
      throw toFetchError(err, url)
    }
    const { statusCode: status, headers, body } = res
    const { plain, cookies } = toResponseHeaders(headers)
    if (method === 'HEAD' || NULL_BODY.has(status)) {
      body.on('error', noop).resume()
      return { status, headers: plain, cookies, body: null }
    }
    // A small body announced by content-length usually arrives whole in its first chunk: hand
    // it over as bytes, which @hono/node-server writes with the headers in one go.
    const length = Number(headers['content-length'])
    let first: Uint8Array | null = null
    if (length > 0 && length <= WHOLE_BODY_MAX) {
      first = await firstChunk(body)
      if (!first) return { status, headers: plain, cookies, body: new Uint8Array(0) }
      if (first.byteLength === length) {
        body.on('error', noop).resume()
        return { status, headers: plain, cookies, body: first as Uint8Array<ArrayBuffer> }
      }
    }
    if (t?.total) limitBody(body, t.total - (Date.now() - started))
    let ended!: (end: BodyEnd) => void
    const done = new Promise<BodyEnd>((resolve) => (ended = resolve))
    return { status, headers: plain, cookies, body: toWebStream(body, first, ended), ended: done }
  }

  return Object.assign(fetchFn, {
    close: async () => {
      const all = [...pools.values()]
      pools.clear()
      await Promise.all(all.map((p) => p.destroy().catch(noop)))
    },
  })
}

const noop = () => {}

const WHOLE_BODY_MAX = 256 * 1024

/** The first chunk of a body (null at its end), leaving the stream paused for whoever follows. */
const firstChunk = (body: Readable) =>
  new Promise<Uint8Array | null>((resolve, reject) => {
    const done = () => {
      body.off('data', onData)
      body.off('end', onEnd)
      body.off('error', onError)
    }
    const onData = (chunk: Uint8Array) => {
      body.pause()
      done()
      resolve(chunk)
    }
    const onEnd = () => {
      done()
      resolve(null)
    }
    const onError = (err: Error) => {
      done()
      reject(err)
    }
    body.on('data', onData)
    body.once('end', onEnd)
    body.once('error', onError)
  })

/** Names are lower-case by the FetchFn contract, so one pass filters them. */
const toRequestHeaders = (headers: Record<string, string>): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const name in headers) {
    if (!REQUEST_SKIP.has(name) && !name.startsWith('proxy-')) out[name] = headers[name]
  }
  return out
}

/** Destroys a body still streaming when the request's total time runs out. */
const limitBody = (body: Readable, ms: number) => {
  const timer = setTimeout(
    () => body.destroy(new DOMException('upstream request timed out', 'TimeoutError')),
    Math.max(ms, 0),
  )
  body.once('close', () => clearTimeout(timer))
}

/** A plain object (which @hono/node-server writes straight through), minus hop-by-hop fields. */
const toResponseHeaders = (headers: IncomingHttpHeaders) => {
  const out: Record<string, string> = {}
  let cookies: string[] | undefined
  // Fields named in Connection are hop-by-hop too (RFC 9110 §7.6.1).
  const listed = headers.connection
    ?.toLowerCase()
    .split(',')
    .map((s) => s.trim())
  for (const name in headers) {
    const value = headers[name]
    if (value === undefined || isHop(name) || listed?.includes(name)) continue
    if (typeof value === 'string') out[name] = value
    else if (name === 'set-cookie') cookies = value
    else out[name] = value.join(', ')
  }
  return { plain: out, cookies }
}

/**
 * undici's body as a Web stream. Hand-written because Node 20's Readable.toWeb throws an uncaught
 * "Controller is already closed" when the client goes away mid-response (nodejs/node#54205).
 */
const toWebStream = (
  body: Readable,
  first: Uint8Array | null = null,
  onEnd: (end: BodyEnd) => void = noop,
): ReadableStream<Uint8Array> => {
  let done = false
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        if (first) controller.enqueue(first)
        body.on('data', (chunk: Uint8Array) => {
          if (done) return
          controller.enqueue(chunk)
          if (controller.desiredSize !== null && controller.desiredSize <= 0) body.pause()
        })
        body.on('end', () => {
          if (done) return
          done = true
          controller.close()
          onEnd({ how: 'done' })
        })
        body.on('error', (err) => {
          if (done) return
          done = true
          controller.error(err)
          onEnd({ how: 'error', error: err.message })
        })
        body.on('close', () => {
          if (done) return
          done = true
          const err = new Error('upstream body closed before its end')
          controller.error(err)
          onEnd({ how: 'error', error: err.message })
        })
      },
      pull() {
        body.resume()
      },
      cancel() {
        if (!done) onEnd({ how: 'aborted' })
        done = true
        body.destroy()
      },
    },
    { highWaterMark: 16 },
  )
}

/** fetch-like TypeError with undici's code; the message never carries the query (`?key=`). */
const toFetchError = (err: unknown, url: URL) => {
  const cause = err as { message?: string; code?: string }
  let detail = String(cause?.message ?? err)
  for (const value of url.searchParams.values()) {
    if (value.length >= 4) detail = detail.split(value).join('[redacted]')
  }
  if (url.search) detail = detail.split(url.search).join('')
  const error = new TypeError(`upstream ${url.origin}${url.pathname} failed: ${detail}`)
  return Object.assign(error, { code: cause?.code })
}
