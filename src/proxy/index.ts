// `ANY /proxy/{group}/{path}`: find the group in the cache, check the proxy key, read the body
// once, and hand over to the attempt loop. No relational-database I/O on this path.
import { Hono } from 'hono'
import { keyFrom } from '../auth/credentials'
import { createAuthGuard, retrySeconds, tooManyMessage } from '../auth/guard'
import type { GroupEntry } from '../config/cache'
import type { Core } from '../core'
import { matchesAny } from '../secrets/crypto'
import { AppError, badRequest } from '../errors'
import { reachableGroups, toIntegrationItem } from '../config/integration'
import { forwardAggregate } from './aggregate'
import { forward } from './forward'
import { withHeartbeat } from './heartbeat'
import { prepareRequest, type ClientRequest } from './prepare'
import { inspectBody, plainHeaders, readBody, upstreamTarget, wantsStream } from './request'

/** Heartbeats suit only a streamed answer that comes as SSE, where a comment line is harmless. */
const heartbeats = (entry: GroupEntry, c: ClientRequest) => {
  const q = c.target.indexOf('?')
  const path = q < 0 ? c.target : c.target.slice(0, q)
  const stream = wantsStream(c.raw, c.target, c.info.stream) || entry.channel.isStreamPath(path)
  return stream && entry.channel.streamsSse(c.target)
}

export const createProxyRoutes = (core: Core): Hono => {
  const { deps, cache } = core
  const app = new Hono()
  // Wrong proxy keys count towards the same per-IP limit as the admin API's: the admin key is
  // usually a global proxy key. A success clears nothing, so a holder of one group's key cannot
  // reset its count between guesses at another.
  const guard = createAuthGuard(core, { clearOnSuccess: false })
  const tooMany = (ms: number) =>
    new AppError(429, 'TOO_MANY_REQUESTS', tooManyMessage(ms), {
      'retry-after': String(retrySeconds(ms)),
    })

  // Integration info for one group (reference §2.2): registered before the catch-all, and it
  // answers before proxy auth since the key is checked here; path '' is relative to the group.
  app.get('/:group/api/integration/info', async (c) => {
    const name = c.req.param('group')
    const entry = cache.byName(name)
    if (!entry) throw new AppError(404, 'NOT_FOUND', `Group '${name}' not found`)
    const key = c.req.query('key')
    let hits: GroupEntry[] = []
    const ok = await guard(c, () => {
      hits = reachableGroups(cache, key, [entry], false)
      return hits.length > 0
    })
    if (ok === false) throw badRequest('key: matches no group')
    if (ok !== true) throw tooMany(ok)
    return c.json({ code: 0, message: 'Success', data: [toIntegrationItem(hits[0]!, '')] })
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
    const ok = await guard(c, () => {
      const global = matchesAny(key, cache.globalProxyKeys())
      return matchesAny(key, entry.proxyKeys) || global
    })
    if (ok === false) throw new AppError(401, 'UNAUTHORIZED', 'Invalid proxy key')
    if (ok !== true) throw tooMany(ok)
    if (!entry.group.enabled) throw new AppError(503, 'SERVICE_UNAVAILABLE', 'Group is disabled')

    const body = await readBody(c, deps.config.maxBodyBytes, deps.readBody)
    const target = upstreamTarget(url, name)
    const client: ClientRequest = {
      raw,
      body,
      info: inspectBody(body, raw['content-type']),
      target,
      method: c.req.method,
      sourceIp: deps.clientIp?.(c) ?? '',
      requestPath: `/proxy/${name}${target}`,
      userAgent: String(raw['user-agent'] ?? ''),
      signal: deps.clientSignal?.(c) ?? c.req.raw.signal,
    }
    const answer = entry.aggregate
      ? forwardAggregate(core, entry, client)
      : forward(core, prepareRequest(core, entry, client))
    const every = entry.settings.stream_heartbeat_interval * 1000
    if (!every || !heartbeats(entry, client)) return answer
    const errorEvent = entry.channel.streamError.bind(null, target)
    return withHeartbeat(every, errorEvent, deps.log, core.limit.hold, answer)
  })

  return app
}
