// Turning an upstream response into the client's: status and headers as sent (content-type
// untouched), the body chunk by chunk, and a callback when a stream ends so it can be logged.
import type { BodyEnd, BodyHooks, BodyTail, UpstreamResponse } from '../deps'

/** The client's headers: the upstream's as they came (adapters already dropped hop-by-hop). */
export const responseHeaders = (
  res: UpstreamResponse,
  stream: boolean,
): Record<string, string> | Array<[string, string]> => {
  let h = res.headers
  if (stream) {
    // Not a spread: with the write after it, it cost ~2 µs a stream on Node 20, this ~0.1 µs.
    h = Object.assign({}, h)
    h['x-accel-buffering'] = 'no'
    h['cache-control'] ??= 'no-cache'
  }
  if (!res.cookies?.length) return h
  return [...Object.entries(h), ...res.cookies.map((v): [string, string] => ['set-cookie', v])]
}

/**
 * Passes chunks through as they arrive, telling `hooks` of each and of the end; `cut` stops the
 * upstream. `eager` reads the first chunk before anyone asks, so its arrival can be awaited.
 */
export const observeStream = (
  body: ReadableStream<Uint8Array>,
  hooks: BodyHooks,
  eager = false,
): { stream: ReadableStream<Uint8Array>; cut: () => void } => {
  const reader = body.getReader()
  let ended = false
  const end = (e: BodyEnd): BodyTail => {
    if (ended) return null
    ended = true
    return hooks.end(e)
  }
  const pump = async (controller: ReadableStreamDefaultController<Uint8Array>) => {
    try {
      const { done, value } = await reader.read()
      if (!done) {
        hooks.chunk(value)
        return controller.enqueue(value)
      }
      const tail = end({ how: 'done' })
      if (tail instanceof Error) return controller.error(tail)
      if (tail) controller.enqueue(tail)
      controller.close()
    } catch (err) {
      const tail = end({ how: 'error', error: err instanceof Error ? err.message : String(err) })
      if (!(tail instanceof Uint8Array)) return controller.error(tail ?? err)
      controller.enqueue(tail)
      controller.close()
    }
  }
  const stream = new ReadableStream<Uint8Array>(
    {
      start: eager ? pump : undefined,
      pull: pump,
      cancel(reason) {
        end({ how: 'aborted' })
        return reader.cancel(reason)
      },
    },
    { highWaterMark: 0 },
  )
  return { stream, cut: () => void reader.cancel().catch(() => {}) }
}

const ERROR_BODY_LIMIT = 64 * 1024

/** Reads an error body as text (bounded); gzip/deflate are decoded so keys can be redacted. */
export const readErrorBody = async (
  res: UpstreamResponse,
): Promise<{ text: string; decoded: boolean }> => {
  if (!res.body) return { text: '', decoded: false }
  const enc = res.headers['content-encoding']
  let stream: ReadableStream<Uint8Array> =
    res.body instanceof Uint8Array ? new Response(res.body).body! : res.body
  let decoded = false
  if (enc === 'gzip' || enc === 'deflate') {
    stream = stream.pipeThrough(
      new DecompressionStream(enc) as unknown as TransformStream<Uint8Array, Uint8Array>,
    )
    decoded = true
  }
  const reader = stream.getReader()
  const parts: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    parts.push(value)
    size += value.byteLength
    if (size >= ERROR_BODY_LIMIT) {
      await reader.cancel()
      break
    }
  }
  const dec = new TextDecoder()
  return {
    text: parts.map((p) => dec.decode(p, { stream: true })).join('') + dec.decode(),
    decoded,
  }
}

/** The message a log row keeps from an upstream error body: `error.message` and friends. */
export const errorMessageOf = (text: string): string => {
  try {
    const j = JSON.parse(text) as Record<string, unknown>
    const e = j.error as Record<string, unknown> | string | undefined
    const msg =
      (typeof e === 'object' && e && typeof e.message === 'string' && e.message) ||
      (typeof e === 'string' && e) ||
      (typeof j.error_msg === 'string' && j.error_msg) ||
      (typeof j.message === 'string' && j.message)
    if (msg) return msg.slice(0, 2048)
  } catch {
    // fall through to the raw text
  }
  return text.slice(0, 2048)
}
