// `ANY /proxy/{group}/{path}`: find the group in the cache, check the proxy key, read the body
// once, and hand over to the attempt loop. No relational-database I/O on this path.
import { Hono } from 'hono'
import { keyFrom } from '../auth'
import type { Core } from '../core'
import { matchesAny } from '../crypto'
import { AppError } from '../errors'
import { reachableGroups, toIntegrationItem } from '../integration'
import { forward, type ForwardRequest } from './forward'
import { toLogRow } from './log'
import { isModelListRequest } from './model-list'
import {
  inspectBody,
  plainHeaders,
  readBody,
  upstreamHeaders,
  upstreamTarget,
  wantsStream,
} from './request'
import { transformRequest } from './transform'

export const createProxyRoutes = (core: Core): Hono => {
  const { deps, cache } = core
  const app = new Hono()

  // Integration info for one group (reference §2.2): registered before the catch-all, and it
  // answers before proxy auth since the key is checked here; path '' is relative to the group.
  app.get('/:group/api/integration/info', (c) => {
    const name = c.req.param('group')
    const entry = cache.byName(name)
    if (!entry) throw new AppError(404, 'NOT_FOUND', `Group '${name}' not found`)
    const [hit] = reachableGroups(cache, c.req.query('key'), [entry])
    return c.json({ code: 0, message: 'Success', data: [toIntegrationItem(hit!, '')] })
  })

  app.all('/:group/*', async (c) => {
    const name = c.req.param('group')
    const entry = cache.byName(name)
    if (!entry) throw new AppError(404, 'NOT_FOUND', `Group '${name}' not found`)
    const url = c.req.url
    const raw = plainHeaders(c, deps.requestHeaders)
    const key = keyFrom(url, raw)
    if (!key) throw new AppError(401, 'UNAUTHORIZED', 'Missing proxy key')
    // Both lists are always checked, so timing does not tell which one matched.
    const okGlobal = matchesAny(key, cache.globalProxyKeys())
    const okGroup = matchesAny(key, entry.proxyKeys)
    if (!okGlobal && !okGroup) throw new AppError(401, 'UNAUTHORIZED', 'Invalid proxy key')

    let body = await readBody(c, deps.config.maxBodyBytes)
    const info = inspectBody(body, raw['content-type'])
    const target = upstreamTarget(url, name)
    const q = target.indexOf('?')
    const path = q < 0 ? target : target.slice(0, q)
    const method = c.req.method
    const model = entry.channel.modelOf(path, info.model)
    const sourceIp = deps.clientIp?.(c) ?? ''
    const requestPath = `/proxy/${name}${target}`
    const userAgent = String(raw['user-agent'] ?? '')
    let sent = target
    let bodyStream = info.stream
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
        const attempt = { entry, key: null, model, sourceIp, requestPath, userAgent, body }
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
    return forward(core, {
      entry,
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
      signal: c.req.raw.signal,
      modelList,
    })
  })

  return app
}
