// The attempt loop: pick a key and an upstream URL, call, and on a failover status or a network
// error try again on another key and the next URL, up to `max_retries` more times.
import type { Core } from '../core'
import { redact } from '../crypto'
import { AppError } from '../errors'
import { classifyStatus } from './health'
import { toLogRow, type AttemptInfo } from './log'
import { errorMessageOf, observeStream, readErrorBody, responseHeaders } from './response'

export interface ForwardRequest extends AttemptInfo {
  method: string
  target: string
  headers: Headers
  signal: AbortSignal
}

interface Failure {
  status: number
  headers: Headers
  body: string
}

const isAbort = (err: unknown) =>
  err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError')

export const forward = async (core: Core, req: ForwardRequest): Promise<Response> => {
  const { deps, keys, logs } = core
  const { entry } = req
  const { settings, channel, group } = entry
  const policy = { blacklistThreshold: settings.blacklist_threshold }
  const timeouts = { connect: settings.connect_timeout * 1000, headers: settings.response_header_timeout * 1000 }
  const tried = new Set<number>()
  let last: Failure | null = null

  for (let attempt = 0; attempt <= settings.max_retries; attempt++) {
    const isLast = attempt === settings.max_retries
    const picked = await deps.pool.pick(group.id, deps.now(), tried)
    if (!picked) break
    tried.add(picked.id)
    const base = entry.upstreams.next()
    if (!base) throw new AppError(503, 'SERVICE_UNAVAILABLE', 'The group has no upstream with weight > 0')
    const url = new URL(base + req.target)
    const headers = new Headers(req.headers)
    channel.injectKey(url, headers, picked.value)
    const upstream = url.toString()
    const started = deps.now()
    const info = { ...req, key: picked.value, startedAt: started }
    // A stream has no total cap; a plain request is bounded by request_timeout.
    const signal = req.isStream
      ? req.signal
      : AbortSignal.any([req.signal, AbortSignal.timeout(settings.request_timeout * 1000)])

    let res: Response
    try {
      res = await deps.fetch(upstream, {
        method: req.method,
        headers,
        body: req.body,
        signal,
        timeouts,
        redirect: 'manual',
      })
    } catch (err) {
      if (req.signal.aborted) {
        logs.push(toLogRow(info, deps.now(), { status: 499, type: 'final', upstream, error: 'client closed the request' }))
        return new Response(null, { status: 499 })
      }
      // The upstream's fault, not the key's: retry elsewhere without charging the key.
      const message = redact(isAbort(err) ? 'upstream request timed out' : String((err as Error).message ?? err), picked.value)
      const status = isAbort(err) ? 504 : 502
      logs.push(toLogRow(info, deps.now(), { status, type: isLast ? 'final' : 'retry', upstream, error: message }))
      last = { status, headers: new Headers({ 'content-type': 'application/json' }), body: JSON.stringify({ code: 'BAD_GATEWAY', message }) }
      continue
    }

    const failover = entry.failover(res.status)
    // A 400 is the client's unless the provider says the key is bad (Gemini answers 400 then).
    if (failover || res.status === 400) {
      const { text, decoded } = await readErrorBody(res)
      const outcome = classifyStatus(channel, res.status, res.headers, text, deps.now())
      if (failover || outcome) {
        if (outcome) deps.waitUntil(keys.report(group.id, picked.id, outcome, policy))
        const body = redact(text, picked.value)
        logs.push(toLogRow(info, deps.now(), { status: res.status, type: isLast ? 'final' : 'retry', upstream, error: errorMessageOf(body) || `status ${res.status}` }))
        const h = new Headers(res.headers)
        h.delete('content-length')
        if (decoded) h.delete('content-encoding')
        last = { status: res.status, headers: h, body }
        continue
      }
      // A plain client error: hand it back as the upstream sent it, charging no key.
      logs.push(toLogRow(info, deps.now(), { status: res.status, type: 'final', upstream, error: errorMessageOf(text) }))
      const h = responseHeaders(res.headers, false)
      delete h['content-length']
      if (decoded) delete h['content-encoding']
      return new Response(redact(text, picked.value), { status: res.status, headers: h })
    }

    if (res.status < 400) deps.waitUntil(keys.report(group.id, picked.id, { kind: 'success' }, policy))
    if (!req.isStream || !res.body) {
      logs.push(toLogRow(info, deps.now(), { status: res.status, type: 'final', upstream }))
      return new Response(res.body, { status: res.status, headers: responseHeaders(res.headers, false) })
    }
    const body = observeStream(res.body, (end) => {
      const error = end.how === 'error' ? `stream broken: ${end.error}` : end.how === 'aborted' ? 'client closed the stream' : undefined
      const status = end.how === 'aborted' ? 499 : res.status
      logs.push(toLogRow(info, deps.now(), { status, type: 'final', upstream, error: error && redact(error, picked.value) }))
    })
    return new Response(body, { status: res.status, headers: responseHeaders(res.headers, true) })
  }

  if (!last) {
    logs.push(toLogRow({ ...req, key: null }, deps.now(), { status: 503, type: 'final', upstream: '', error: 'no usable key' }))
    return Response.json(
      { code: 'NO_KEYS_AVAILABLE', message: 'No active API keys available for this group' },
      { status: 503 },
    )
  }
  return new Response(last.body, { status: last.status, headers: last.headers })
}
