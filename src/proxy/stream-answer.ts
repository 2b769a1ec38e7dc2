// A 2xx streamed answer on its way to the client: the first-byte wait (a late or broken start is
// retried on another key, charging it nothing), the idle deadline, the in-band error event of a
// broken stream, and its log row once it ends.
import type { Core } from '../core'
import type { BodyEnd, BodyTail, UpstreamResponse } from '../deps'
import { AppError } from '../errors'
import { redact, redactUrlKeys } from '../secrets/crypto'
import type { AttemptResult, ForwardRequest } from './attempt-types'
import { toLogRow, type AttemptInfo } from './log'
import { observeStream, responseHeaders } from './response'
import type { StreamGuard } from './stream-guard'

export interface StreamCall {
  info: AttemptInfo & { key: { value: string; hash: string } }
  upstream: string
  res: UpstreamResponse & { body: ReadableStream<Uint8Array> }
  guard: StreamGuard
  /** 'final' when a failure now would be the request's last. */
  ending: (at: number) => 'retry' | 'final'
  /** When the request's `request_timeout` runs out (epoch ms); Infinity for none. */
  deadline: number
}

const SSE = /^text\/event-stream/i
const enc = new TextEncoder()
const JSON_HEADERS = { 'content-type': 'application/json' }

export const answerStream = async (
  core: Core,
  req: ForwardRequest,
  call: StreamCall,
): Promise<AttemptResult> => {
  const { deps, logs } = core
  const { settings, channel } = req.entry
  const { info, upstream, res, guard } = call
  const key = info.key.value
  const clean = (text: string) => redact(redactUrlKeys(text), key)
  // The wait for the first byte is part of the request's budget, like the wait for headers.
  const left = Math.max(call.deadline - deps.now(), 1)
  const firstByteMs =
    settings.first_byte_timeout && Math.min(settings.first_byte_timeout * 1000, left)
  // With heartbeats on, the answer waits for its first byte while they keep the client's stream.
  const holdFirst = settings.stream_heartbeat_interval > 0
  const sse = SSE.test(res.headers['content-type'] ?? '')
  const path = req.target
  const log = (status: number, type: 'retry' | 'final', error?: string) =>
    logs.push(toLogRow(info, deps.now(), { status, type, upstream, error }))

  const release = core.limit.hold()
  req.signal.addEventListener('abort', release, { once: true })
  let body = res.body
  let cut = res.cut
  if (!res.ended || !cut) {
    const o = observeStream(body, guard, firstByteMs > 0 || holdFirst)
    body = o.stream
    cut = o.cut
  }
  const onEnd = (end: BodyEnd, why: string | null) => {
    release()
    if (end.how === 'aborted') return log(499, 'final', 'client closed the stream')
    log(res.status, 'final', why ? clean(why) : undefined)
  }
  // A stream that is not SSE (Gemini's JSON array) has no error event: it fails instead, so the
  // HTTP body is not ended cleanly and the client sees the failure.
  const tail = (why: string, status: number): BodyTail => {
    const message = clean(why)
    if (!sse) return new Error(message)
    return enc.encode(channel.streamError(path, status, 'BAD_GATEWAY', message))
  }
  const idleMs = settings.stream_idle_timeout * 1000
  const wait = guard.start({ cut, firstByteMs, holdFirst, idleMs, tail, onEnd })
  const first = wait && (await wait)
  if (first && first.kind !== 'chunk') {
    release()
    if (first.kind === 'end' && first.end.how === 'done') {
      log(res.status, 'final')
    } else if (req.signal.aborted || (first.kind === 'end' && first.end.how === 'aborted')) {
      log(499, 'final', 'client closed the request')
      return { response: new Response(null, { status: 499 }) }
    } else {
      // Nothing reached the client yet: the upstream's fault, not the key's; retry elsewhere.
      const message = clean(
        first.kind === 'timeout'
          ? `no first byte within ${Math.round(firstByteMs / 100) / 10} s`
          : `upstream cut the stream before its first byte: ${first.end.error ?? ''}`,
      )
      const status = first.kind === 'timeout' ? 504 : 502
      const at = deps.now()
      const kind = call.ending(at)
      logs.push(toLogRow(info, at, { status, type: kind, upstream, error: message }))
      const error = new AppError(status, 'BAD_GATEWAY', message)
      return { failure: { status, headers: JSON_HEADERS, body: '', error }, last: kind === 'final' }
    }
  }
  return {
    response: new Response(body, { status: res.status, headers: responseHeaders(res, true) }),
  }
}
