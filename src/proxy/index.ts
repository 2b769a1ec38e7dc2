// `ANY /proxy/{group}/{path}`: find the group in the cache, check the proxy key, read the body
// once, and hand over to the attempt loop. No relational-database I/O on this path.
import { Hono } from 'hono'
import { keyFrom } from '../auth'
import type { Core } from '../core'
import { matchesAny } from '../crypto'
import { AppError } from '../errors'
import { forward } from './forward'
import {
  inspectBody,
  plainHeaders,
  readBody,
  upstreamHeaders,
  upstreamTarget,
  wantsStream,
} from './request'

export const createProxyRoutes = (core: Core): Hono => {
  const { deps, cache } = core
  const app = new Hono()

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

    const body = await readBody(c, deps.config.maxBodyBytes)
    const info = inspectBody(body, raw['content-type'])
    const target = upstreamTarget(url, name)
    const q = target.indexOf('?')
    const path = q < 0 ? target : target.slice(0, q)
    const isStream = wantsStream(raw, target, info.stream) || entry.channel.isStreamPath(path)
    return forward(core, {
      entry,
      key: null,
      model: entry.channel.modelOf(path, info.model),
      sourceIp: deps.clientIp?.(c) ?? '',
      requestPath: `/proxy/${name}${target}`,
      userAgent: String(raw['user-agent'] ?? ''),
      isStream,
      body,
      startedAt: deps.now(),
      method: c.req.method,
      target,
      headers: upstreamHeaders(raw, isStream),
      signal: c.req.raw.signal,
    })
  })

  return app
}
