// The attempt loop: pick a key and an upstream URL, call, and on a failover status or a network
// error try again on another key and the next URL, up to `max_retries` more times.
import type { Core } from '../core'
import { redact } from '../crypto'
import type { BodyEnd, UpstreamResponse } from '../deps'
import { AppError } from '../errors'
import { applyHeaderRules } from './header-rules'
import { classifyStatus } from './health'
import { toLogRow, type AttemptInfo } from './log'
import { interceptModelList } from './model-list'
import type { ModelRedirect } from './redirect'
import { errorMessageOf, observeStream, readErrorBody, responseHeaders } from './response'

export interface ForwardRequest extends AttemptInfo {
  method: string
  target: string
  headers: Record<string, string>
  signal: AbortSignal
  /** Set on model-list calls of a group with redirect rules: a 200 list gets rewritten. */
  modelList?: { redirect: ModelRedirect; firstPage: boolean } | null
}

interface Failure {
  status: number
  headers: Record<string, string>
  body: string
}

const JSON_HEADERS = { 'content-type': 'application/json' }

const isTimeout = (err: unknown) =>
  err instanceof Error &&
  (err.name === 'TimeoutError' || /timeout/i.test(String((err as { code?: string }).code)))

/** Headers of a body the gateway re-encodes as text: no stale length, no encoding it undid. */
const textHeaders = (res: UpstreamResponse, decoded: boolean) => {
  const h = { ...res.headers }
  delete h['content-length']
  if (decoded) delete h['content-encoding']
  return h
}

export const forward = async (core: Core, req: ForwardRequest): Promise<Response> => {
  const { deps, keys, logs } = core
  const { entry } = req
  const { settings, channel, group } = entry
  const policy = { blacklistThreshold: settings.blacklist_threshold }
  const timeouts = {
    connect: settings.connect_timeout * 1000,
    headers: settings.response_header_timeout * 1000,
    // A stream has no total cap; a plain request is bounded by request_timeout.
    total: req.isStream ? undefined : settings.request_timeout * 1000,
  }
  const tried = new Set<number>()
  let last: Failure | null = null

  for (let attempt = 0; attempt <= settings.max_retries; attempt++) {
    const type = attempt === settings.max_retries ? 'final' : 'retry'
    const picked = await deps.pool.pick(group.id, deps.now(), tried)
    if (!picked) break
    tried.add(picked.id)
    const base = entry.upstreams.next()
    if (!base)
      throw new AppError(503, 'SERVICE_UNAVAILABLE', 'The group has no upstream with weight > 0')
    const url = new URL(base + req.target)
    const headers = { ...req.headers }
    channel.injectKey(url, headers, picked.value)
    // After the key, so a rule can override or remove the auth header (reference §2.6).
    if (entry.headerRules) {
      applyHeaderRules(headers, entry.headerRules, {
        clientIp: req.sourceIp,
        now: deps.now(),
        groupName: group.name,
        apiKey: picked.value,
      })
    }
    const upstream = url.href
    const info = { ...req, key: picked.value, startedAt: deps.now() }

    let res: UpstreamResponse
    try {
      res = await deps.fetch(url, {
        method: req.method,
        headers,
        body: req.body,
        signal: req.signal,
        timeouts,
      })
    } catch (err) {
      if (req.signal.aborted) {
        logs.push(
          toLogRow(info, deps.now(), {
            status: 499,
            type: 'final',
            upstream,
            error: 'client closed the request',
          }),
        )
        return new Response(null, { status: 499 })
      }
      // The upstream's fault, not the key's: retry elsewhere without charging the key.
      const timedOut = isTimeout(err)
      const message = redact(
        timedOut ? 'upstream request timed out' : String((err as Error)?.message ?? err),
        picked.value,
      )
      const status = timedOut ? 504 : 502
      logs.push(toLogRow(info, deps.now(), { status, type, upstream, error: message }))
      last = {
        status,
        headers: JSON_HEADERS,
        body: JSON.stringify({ code: 'BAD_GATEWAY', message }),
      }
      continue
    }

    const failover = entry.failover(res.status)
    // A 400 is the client's unless the provider says the key is bad (Gemini answers 400 then).
    if (failover || res.status === 400) {
      const { text, decoded } = await readErrorBody(res)
      const outcome = classifyStatus(channel, res.status, res.headers, text, deps.now())
      const body = redact(text, picked.value)
      if (failover || outcome) {
        if (outcome) deps.waitUntil(keys.report(group.id, picked.id, outcome, policy))
        logs.push(
          toLogRow(info, deps.now(), {
            status: res.status,
            type,
            upstream,
            error: errorMessageOf(body) || `status ${res.status}`,
          }),
        )
        last = { status: res.status, headers: textHeaders(res, decoded), body }
        continue
      }
      // A plain client error: hand it back as the upstream sent it, charging no key.
      logs.push(
        toLogRow(info, deps.now(), {
          status: res.status,
          type: 'final',
          upstream,
          error: errorMessageOf(body),
        }),
      )
      return new Response(body, { status: res.status, headers: textHeaders(res, decoded) })
    }

    // A success changes nothing for a key without failures; skipping it keeps the hot path free.
    if (res.status < 400 && picked.failures > 0) {
      deps.waitUntil(keys.report(group.id, picked.id, { kind: 'success' }, policy))
    }
    if (req.modelList && res.status === 200) {
      const out = await interceptModelList(res, req.modelList.redirect, req.modelList.firstPage)
      logs.push(toLogRow(info, deps.now(), { status: res.status, type: 'final', upstream }))
      return out
    }
    if (!req.isStream || !res.body || res.body instanceof Uint8Array) {
      logs.push(toLogRow(info, deps.now(), { status: res.status, type: 'final', upstream }))
      return new Response(res.body, { status: res.status, headers: responseHeaders(res, false) })
    }
    const release = core.limit.hold()
    req.signal.addEventListener('abort', release, { once: true })
    const onEnd = (end: BodyEnd) => {
      release()
      const error =
        end.how === 'error'
          ? `stream broken: ${end.error}`
          : end.how === 'aborted'
            ? 'client closed the stream'
            : undefined
      const status = end.how === 'aborted' ? 499 : res.status
      logs.push(
        toLogRow(info, deps.now(), {
          status,
          type: 'final',
          upstream,
          error: error && redact(error, picked.value),
        }),
      )
    }
    let body = res.body
    if (res.ended) res.ended.then(onEnd)
    else body = observeStream(res.body, onEnd)
    return new Response(body, { status: res.status, headers: responseHeaders(res, true) })
  }

  if (!last) {
    logs.push(
      toLogRow({ ...req, key: null }, deps.now(), {
        status: 503,
        type: 'final',
        upstream: '',
        error: 'no usable key',
      }),
    )
    return Response.json(
      { code: 'NO_KEYS_AVAILABLE', message: 'No active API keys available for this group' },
      { status: 503 },
    )
  }
  return new Response(last.body, { status: last.status, headers: last.headers })
}
