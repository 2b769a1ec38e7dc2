// One upstream attempt: pick a key of the entry's group and an upstream URL, call, and either
// answer the client or report a failure worth retrying. The loops live in forward.ts.
import type { Core } from '../core'
import { redact, redactUrlKeys } from '../secrets/crypto'
import type { UpstreamResponse } from '../deps'
import { AppError } from '../errors'
import { applyHeaderRules } from './header-rules'
import { classifyStatus } from './health'
import { toLogRow, type AttemptInfo } from './log'
import { interceptModelList } from './model-list'
import type { ModelRedirect } from './redirect'
import { errorMessageOf, readErrorBody, responseHeaders } from './response'
import { answerStream, type StreamCall } from './stream-answer'
import { StreamGuard } from './stream-guard'

export interface Failure {
  status: number
  headers: Record<string, string>
  body: string
  /** Set when the gateway made the failure (network error, timeout) rather than the upstream. */
  error?: AppError
}

/** One proxied request on its way upstream: what every attempt needs. */
export interface ForwardRequest extends AttemptInfo {
  method: string
  target: string
  headers: Record<string, string>
  signal: AbortSignal
  /** Set on model-list calls of a group with redirect rules: a 200 list gets rewritten. */
  modelList?: { redirect: ModelRedirect; firstPage: boolean } | null
}

/**
 * The client's answer, a failure to retry elsewhere, or null when the group had no usable key.
 * `last` marks a failure logged as `final`: the loop must stop there (the count or the deadline).
 */
export type AttemptResult = { response: Response } | { failure: Failure; last: boolean } | null

export const JSON_HEADERS = { 'content-type': 'application/json' }

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

export const attempt = async (
  core: Core,
  req: ForwardRequest,
  tried: Set<number>,
  type: 'retry' | 'final',
  /** When the request's `request_timeout` runs out (ms since the epoch); Infinity for none. */
  deadline = Infinity,
): Promise<AttemptResult> => {
  const { deps, keys, logs } = core
  const { settings, channel, group } = req.entry
  const entry = req.entry
  const picked = await keys.pick(group.id, tried)
  if (!picked) return null
  tried.add(picked.id)
  const policy = { blacklistThreshold: settings.blacklist_threshold }
  // Each attempt gets only what is left of the request's budget. A plain request is bounded by
  // it in total; a stream only until its headers arrive, and then has no total cap (as v1).
  const left = Math.max(deadline - deps.now(), 1)
  const timeouts = {
    connect: Math.min(settings.connect_timeout * 1000, left),
    headers: Math.min(settings.response_header_timeout * 1000, left),
    total: req.isStream ? undefined : Math.min(settings.request_timeout * 1000, left),
  }
  // A failure is the request's last when the count says so or the budget is spent.
  const ending = (at: number) => (type === 'final' || at >= deadline ? 'final' : 'retry')
  const base = entry.upstreams.next()
  if (!base) {
    throw new AppError(503, 'SERVICE_UNAVAILABLE', 'The group has no upstream with weight > 0')
  }
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
  const info = { ...req, key: picked, startedAt: deps.now() }
  const guard = req.isStream ? new StreamGuard(deps.now) : undefined

  let res: UpstreamResponse
  try {
    res = await deps.fetch(url, {
      method: req.method,
      headers,
      body: req.body,
      signal: req.signal,
      timeouts,
      proxy: settings.proxy_url,
      hooks: guard,
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
      return { response: new Response(null, { status: 499 }) }
    }
    // The upstream's fault, not the key's: retry elsewhere without charging the key.
    const timedOut = isTimeout(err)
    const message = redact(
      timedOut
        ? 'upstream request timed out'
        : redactUrlKeys(String((err as Error)?.message ?? err)),
      picked.value,
    )
    const status = timedOut ? 504 : 502
    const at = deps.now()
    const kind = ending(at)
    logs.push(toLogRow(info, at, { status, type: kind, upstream, error: message }))
    const error = new AppError(status, 'BAD_GATEWAY', message)
    return { failure: { status, headers: JSON_HEADERS, body: '', error }, last: kind === 'final' }
  }

  const failover = entry.failover(res.status)
  // A 400 is the client's unless the provider says the key is bad (Gemini answers 400 then).
  if (failover || res.status === 400) {
    const { text, decoded } = await readErrorBody(res)
    const outcome = classifyStatus(channel, res.status, res.headers, text, deps.now())
    const body = redact(text, picked.value)
    if (failover || outcome) {
      // `body` is already redacted, so the message a key's history keeps never holds the key.
      const error = errorMessageOf(body) || `status ${res.status}`
      if (outcome) {
        const cause = { status: res.status, message: error }
        deps.waitUntil(keys.report(group.id, picked.id, outcome, policy, cause))
      }
      const at = deps.now()
      const kind = ending(at)
      logs.push(toLogRow(info, at, { status: res.status, type: kind, upstream, error }))
      const failure = { status: res.status, headers: textHeaders(res, decoded), body }
      return { failure, last: kind === 'final' }
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
    const headers = textHeaders(res, decoded)
    return { response: new Response(body, { status: res.status, headers }) }
  }

  // A success changes nothing for a key without failures; skipping it keeps the hot path free.
  if (res.status < 400 && (picked.failures > 0 || picked.rejoined)) {
    deps.waitUntil(keys.report(group.id, picked.id, { kind: 'success' }, policy))
  }
  if (req.modelList && res.status === 200) {
    const out = await interceptModelList(res, req.modelList.redirect, req.modelList.firstPage)
    logs.push(toLogRow(info, deps.now(), { status: res.status, type: 'final', upstream }))
    return { response: out }
  }
  if (!req.isStream || !res.body || res.body instanceof Uint8Array) {
    logs.push(toLogRow(info, deps.now(), { status: res.status, type: 'final', upstream }))
    const headers = responseHeaders(res, false)
    return { response: new Response(res.body, { status: res.status, headers }) }
  }
  const stream = res as StreamCall['res']
  return answerStream(core, req, { info, upstream, res: stream, guard: guard!, ending, deadline })
}
