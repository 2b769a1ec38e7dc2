// One upstream exchange as an undici dispatch handler: no Node Readable per response, just the
// callbacks. A small body that arrives whole in its first chunk is handed over as bytes; anything
// else becomes a Web stream fed as it arrives, paused while its reader is behind.
import type { IncomingHttpHeaders } from 'node:http'
import type { Dispatcher } from 'undici'
import { errors } from './undici'
import { ResponseSignal } from './client-signal'
import type { BodyEnd, BodyHooks, BodyTail, ClientSignal, UpstreamResponse } from '../../src/deps'

type Controller = Dispatcher.DispatchController

const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade'])
const isHop = (name: string) => HOP.has(name) || name.startsWith('proxy-')
// Statuses whose Response must have a null body (fetch spec "null body status").
const NULL_BODY = new Set([101, 103, 204, 205, 304])
const WHOLE_BODY_MAX = 256 * 1024
// Bytes queued for a slow reader before the upstream is paused.
const QUEUE_BYTES = 64 * 1024
const byteSize = (c: Uint8Array) => c.byteLength
const EMPTY = new Uint8Array(0)

/** A plain object (which @hono/node-server writes straight through), minus hop-by-hop fields. */
export const toResponseHeaders = (headers: IncomingHttpHeaders) => {
  const plain: Record<string, string> = {}
  let cookies: string[] | undefined
  // Fields named in Connection are hop-by-hop too (RFC 9110 §7.6.1).
  const listed = headers.connection
    ?.toLowerCase()
    .split(',')
    .map((s) => s.trim())
  for (const name in headers) {
    const value = headers[name]
    if (value === undefined || isHop(name) || listed?.includes(name)) continue
    if (typeof value === 'string') plain[name] = value
    else if (name === 'set-cookie') cookies = value
    else plain[name] = value.join(', ')
  }
  return { plain, cookies }
}

export class UpstreamHandler implements Dispatcher.DispatchHandler {
  private controller: Controller | null = null
  private stream: ReadableStreamDefaultController<Uint8Array> | null = null
  private head: { status: number; plain: Record<string, string>; cookies?: string[] } | null = null
  /** content-length while waiting to see whether the first chunk is the whole body. */
  private whole = 0
  private settled = false
  private done = false
  private timer: ReturnType<typeof setTimeout> | undefined
  private headerTimer: ReturnType<typeof setTimeout> | undefined
  /** Set when the header wait ran out before undici handed over the request's controller. */
  private expired: Error | null = null
  private ended: ((end: BodyEnd) => void) | null = null
  /** The chunks parsed from one socket read so far: enqueued as one when the read is done. */
  private batch: Buffer[] | null = null
  private cancelled = false

  constructor(
    private readonly method: string,
    private readonly signal: ClientSignal | undefined,
    private readonly totalMs: number | undefined,
    private readonly started: number,
    private readonly resolve: (res: UpstreamResponse) => void,
    private readonly reject: (err: unknown) => void,
    /** ms to wait for the response headers, connecting included. */
    headersMs?: number,
    /** The core's watch over a streamed body, called here so it needs no stream of its own. */
    private readonly hooks?: BodyHooks,
  ) {
    // undici checks its headersTimeout on coarse ticks (a 2 s limit cut at 2.5 s); this fires on
    // time, and undici's stays behind it as a backstop.
    if (headersMs) this.headerTimer = setTimeout(this.headersTimedOut, headersMs)
  }

  private headersTimedOut = () => {
    if (this.settled) return
    // undici's own error, so callers see the code (UND_ERR_HEADERS_TIMEOUT) they already know.
    const err = new errors.HeadersTimeoutError()
    if (this.controller) return this.controller.abort(err)
    // Still connecting: answer now, and abort the request once undici hands it over.
    this.expired = err
    this.onResponseError(null as unknown as Controller, err)
  }

  // Once the body is handed over, the abort waits a turn: when a client leaves, the server
  // cancels the body itself, which ends it quietly instead of as an error it would log.
  private onAbort = () => {
    if (!this.settled) return this.controller?.abort(this.signal!.reason as Error)
    setImmediate(() => this.controller?.abort(this.signal!.reason as Error))
  }

  onRequestStart(controller: Controller) {
    this.controller = controller
    if (this.expired) return controller.abort(this.expired)
    if (!this.signal) return
    if (this.signal.aborted) controller.abort(this.signal.reason as Error)
    else this.signal.addEventListener('abort', this.onAbort, { once: true })
  }

  onResponseStart(_c: Controller, status: number, headers: IncomingHttpHeaders) {
    if (this.done) return
    if (status < 200 && status !== 101) return // informational: the real answer follows
    clearTimeout(this.headerTimer)
    const { plain, cookies } = toResponseHeaders(headers)
    this.head = { status, plain, cookies }
    if (this.method === 'HEAD' || NULL_BODY.has(status)) return this.settle(null)
    const length = Number(headers['content-length'])
    if (length > 0 && length <= WHOLE_BODY_MAX) this.whole = length
    else this.open(null)
  }

  onResponseData(_c: Controller, chunk: Buffer) {
    if (this.done) return
    if (this.whole) {
      const n = this.whole
      this.whole = 0
      // The whole body in one chunk: bytes, written with the headers in one go.
      if (chunk.byteLength === n) return this.settle(chunk as Uint8Array<ArrayBuffer>)
      return this.open(chunk)
    }
    if (!this.stream) return
    this.hooks?.chunk(chunk)
    // One socket read often holds many small SSE chunks: all of them are here now, and one
    // enqueue (so one read and one socket write downstream) costs a fraction of one each.
    if (this.batch) return void this.batch.push(chunk)
    this.batch = [chunk]
    queueMicrotask(this.flush)
  }

  private flush = () => {
    const batch = this.takeBatch()
    const s = this.stream
    if (!batch || !s) return
    s.enqueue(batch)
    if ((s.desiredSize ?? 1) <= 0) this.controller?.pause()
  }

  private takeBatch(): Uint8Array | null {
    const b = this.batch
    this.batch = null
    if (!b || this.cancelled) return null
    return b.length === 1 ? b[0] : Buffer.concat(b)
  }

  onResponseEnd() {
    if (this.whole) {
      this.whole = 0
      this.settle(EMPTY)
    }
    this.endStream(this.finish({ how: 'done' }), null)
  }

  onResponseError(_c: Controller, err: Error) {
    if (!this.settled) {
      this.cleanup()
      this.settled = true
      this.done = true
      return this.reject(this.signal?.aborted ? this.signal.reason : err)
    }
    if (this.done) return
    const end: BodyEnd = this.signal?.aborted
      ? { how: 'aborted' }
      : { how: 'error', error: err.message }
    this.endStream(this.finish(end), err)
  }

  /** Sends the core's tail, if any, then closes; or fails the stream (`err` set: it broke). */
  private endStream(tail: BodyTail, err: Error | null) {
    const s = this.stream
    if (!s) return
    const rest = this.takeBatch()
    if (tail instanceof Error) return s.error(tail)
    // Broken with no tail to send: error() drops what is queued, as before.
    if (!tail && err) return s.error(err)
    if (rest) s.enqueue(rest)
    if (tail) s.enqueue(tail)
    s.close()
  }

  /** Stops the upstream call; the body then ends as a broken one, through the hooks. */
  private cut = () => this.controller?.abort(new Error('the gateway cut the stream'))

  private settle(body: UpstreamResponse['body']) {
    if (this.settled) return
    this.settled = true
    const h = this.head!
    const res: UpstreamResponse = { status: h.status, headers: h.plain, cookies: h.cookies, body }
    if (body instanceof ReadableStream) {
      res.ended = new Promise<BodyEnd>((r) => (this.ended = r))
      res.cut = this.cut
      if (this.totalMs) this.limit()
    } else {
      this.done = true
      this.cleanup()
    }
    this.resolve(res)
  }

  /** The body as a Web stream, starting with `first` when a chunk is already here. */
  private open(first: Uint8Array | null) {
    if (this.signal instanceof ResponseSignal) this.signal.holdHeaders()
    const body = new ReadableStream<Uint8Array>(
      {
        start: (c) => {
          this.stream = c
          if (!first) return
          this.hooks?.chunk(first)
          c.enqueue(first)
        },
        pull: () => this.controller?.resume(),
        cancel: () => {
          this.cancelled = true
          if (this.done) return
          this.finish({ how: 'aborted' })
          this.controller?.abort(new Error('the reader cancelled the body'))
        },
      },
      { highWaterMark: QUEUE_BYTES, size: byteSize },
    )
    this.settle(body)
  }

  /** A plain request's body still streaming when its total time runs out is cut. */
  private limit() {
    const left = Math.max(this.totalMs! - (Date.now() - this.started), 0)
    this.timer = setTimeout(
      () => this.controller?.abort(new DOMException('upstream request timed out', 'TimeoutError')),
      left,
    )
  }

  private finish(end: BodyEnd): BodyTail {
    if (this.done) return null
    this.done = true
    this.cleanup()
    this.ended?.(end)
    return this.hooks?.end(end) ?? null
  }

  private cleanup() {
    clearTimeout(this.timer)
    clearTimeout(this.headerTimer)
    this.signal?.removeEventListener('abort', this.onAbort)
  }
}
