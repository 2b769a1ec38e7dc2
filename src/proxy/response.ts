// Turning an upstream response into the client's: status and headers as sent (content-type
// untouched), the body chunk by chunk, and a callback when a stream ends so it can be logged.
import type { BodyEnd, UpstreamResponse } from '../deps'

/** The client's headers: the upstream's as they came (adapters already dropped hop-by-hop). */
export const responseHeaders = (
  res: UpstreamResponse,
  stream: boolean,
): Record<string, string> | Array<[string, string]> => {
  let h = res.headers
  if (stream) {
    h = { ...h, 'x-accel-buffering': 'no' }
    h['cache-control'] ??= 'no-cache'
  }
  if (!res.cookies?.length) return h
  return [...Object.entries(h), ...res.cookies.map((v): [string, string] => ['set-cookie', v])]
}

/** Passes chunks through as they arrive and reports once how the stream ended. */
export const observeStream = (
  body: ReadableStream<Uint8Array>,
  onEnd: (end: BodyEnd) => void,
): ReadableStream<Uint8Array> => {
  const reader = body.getReader()
  let ended = false
  const end = (e: BodyEnd) => {
    if (ended) return
    ended = true
    onEnd(e)
  }
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { done, value } = await reader.read()
          if (done) {
            end({ how: 'done' })
            controller.close()
          } else {
            controller.enqueue(value)
          }
        } catch (err) {
          end({ how: 'error', error: err instanceof Error ? err.message : String(err) })
          controller.error(err)
        }
      },
      cancel(reason) {
        end({ how: 'aborted' })
        return reader.cancel(reason)
      },
    },
    { highWaterMark: 0 },
  )
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
