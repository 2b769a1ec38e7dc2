// `stream_heartbeat_interval`: when a streamed answer has not started within one interval, the
// client gets 200 and SSE headers, then a `: keep-alive` comment every interval until the first
// byte, so proxies in between keep the connection. Retries go on behind the same stream, and
// whatever the attempts end in arrives in it: the upstream's stream, or an in-band error event.
import type { Logger } from '../deps'
import { AppError } from '../errors'
import { errorMessageOf } from './response'

/** The channel's in-band error event for this request. */
export type ErrorEvent = (status: number, code: string, message: string) => string

const enc = new TextEncoder()
const PING = enc.encode(': keep-alive\n\n')
const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
}

export const withHeartbeat = async (
  everyMs: number,
  errorEvent: ErrorEvent,
  log: Logger,
  /** Takes a concurrency slot; the request's own is freed once the early headers go out. */
  hold: () => () => void,
  answer: Promise<Response>,
): Promise<Response> => {
  let wait: ReturnType<typeof setTimeout> | null = null
  const late = new Promise<null>((r) => (wait = setTimeout(() => r(null), everyMs)))
  try {
    // An answer within the first interval goes out as it is, headers included.
    const early = await Promise.race([answer, late])
    if (early) return early
  } finally {
    if (wait !== null) clearTimeout(wait)
  }

  // Held until the attempts are over; a stream they hand over holds its own slot.
  const release = hold()
  let reader: ReadableStreamDefaultReader<Uint8Array> | null = null
  let cancelled = false
  // A chain of timeouts rather than setInterval, which Workers code must not use.
  let ping: ReturnType<typeof setTimeout> | null = null
  let ready!: () => void
  const known = new Promise<void>((r) => (ready = r))
  let out!: ReadableStreamDefaultController<Uint8Array>
  let beating = true
  const stopPing = () => {
    beating = false
    if (ping !== null) clearTimeout(ping)
    ping = null
  }
  const fail = (status: number, code: string, message: string) => {
    out.enqueue(enc.encode(errorEvent(status, code, message)))
    out.close()
    ready()
  }

  const stream = new ReadableStream<Uint8Array>(
    {
      start(c) {
        out = c
        const beat = () => {
          if (!beating) return
          c.enqueue(PING)
          ping = setTimeout(beat, everyMs)
        }
        beat()
      },
      async pull(c) {
        await known
        if (!reader) return
        try {
          const { done, value } = await reader.read()
          if (done) c.close()
          else c.enqueue(value)
        } catch (err) {
          c.error(err)
        }
      },
      cancel(reason) {
        cancelled = true
        stopPing()
        ready()
        return reader?.cancel(reason)
      },
    },
    { highWaterMark: 0 },
  )

  answer.finally(release).catch(() => {})
  answer.then(
    async (res) => {
      stopPing()
      if (cancelled) return void res.body?.cancel().catch(() => {})
      if (res.ok && res.body) {
        reader = res.body.getReader()
        return ready()
      }
      // The attempts' last answer was an error: its message goes in-band (keys already masked).
      const text = await res.text().catch(() => '')
      if (!cancelled)
        fail(res.status, 'UPSTREAM_ERROR', errorMessageOf(text) || `status ${res.status}`)
    },
    (err: unknown) => {
      stopPing()
      if (cancelled) return
      if (err instanceof AppError) return fail(err.status, err.code, err.message)
      log('error', 'unhandled error', { error: err instanceof Error ? err.message : String(err) })
      fail(500, 'INTERNAL_SERVER_ERROR', 'Internal server error')
    },
  )
  return new Response(stream, { status: 200, headers: SSE_HEADERS })
}
