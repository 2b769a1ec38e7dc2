// Turns the client request into what one group forwards: its channel's model, its overrides and
// redirects, the stream flag and the upstream headers. An aggregate runs this once per member.
import type { RawHeaders } from '../auth/credentials'
import type { GroupEntry } from '../config/cache'
import type { Core } from '../core'
import type { ClientSignal } from '../deps'
import { AppError } from '../errors'
import type { BodyBytes } from '../http/body'
import type { Group } from '../store/types'
import type { ForwardRequest } from './attempt'
import { toLogRow } from './log'
import { isModelListRequest } from './model-list'
import { inspectBody, upstreamHeaders, wantsStream } from './request'
import { transformRequest } from './transform'

export interface ClientRequest {
  raw: RawHeaders
  body: BodyBytes | null
  info: ReturnType<typeof inspectBody>
  /** Path and query after `/proxy/{group}`. */
  target: string
  method: string
  sourceIp: string
  requestPath: string
  userAgent: string
  signal: ClientSignal
}

export const prepareRequest = (
  core: Core,
  entry: GroupEntry,
  c: ClientRequest,
  parent: Group | null = null,
): ForwardRequest => {
  const { deps } = core
  const { raw, target, method, sourceIp, requestPath, userAgent } = c
  const q = target.indexOf('?')
  const path = q < 0 ? target : target.slice(0, q)
  const model = entry.channel.modelOf(path, c.info.model)
  let body = c.body
  let sent = target
  let bodyStream = c.info.stream
  let modelList: ForwardRequest['modelList'] = null
  // Groups without overrides or redirects skip all of this (entry.transforms is null).
  const t = entry.transforms
  if (t) {
    const r = transformRequest(t, {
      channelType: entry.channel.type,
      target,
      body,
      contentType: raw['content-type'],
      bodyStream,
    })
    if (!r.ok) {
      const attempt = { entry, key: null, model, sourceIp, requestPath, userAgent, body, parent }
      const row = { status: 400, type: 'final', upstream: '', error: r.message } as const
      const now = deps.now()
      core.logs.push(toLogRow({ ...attempt, isStream: false, startedAt: now }, now, row))
      throw new AppError(400, 'BAD_REQUEST', r.message)
    }
    ;({ target: sent, body, bodyStream } = r)
    if (t.redirect && isModelListRequest(method, path)) {
      modelList = { redirect: t.redirect, firstPage: !/[?&]pageToken=/.test(target) }
    }
  }
  const isStream = wantsStream(raw, target, bodyStream) || entry.channel.isStreamPath(path)
  const headers = upstreamHeaders(raw, isStream)
  // The list is re-encoded anyway; asking for it plain spares decoding it.
  if (modelList) headers['accept-encoding'] = 'identity'
  return {
    entry,
    parent,
    key: null,
    model,
    sourceIp,
    requestPath,
    userAgent,
    isStream,
    body,
    startedAt: deps.now(),
    method,
    target: sent,
    headers,
    signal: c.signal,
    modelList,
    rules: entry.failoverRules,
  }
}
