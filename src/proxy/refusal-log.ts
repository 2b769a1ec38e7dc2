// The request-log row of a proxy request the local concurrency cap refused: it says so, so the
// log tells the cap apart from an upstream's 429 (status and key) and a cooling pool.
import type { Context } from 'hono'
import type { Core } from '../core'
import { toLogRow } from './log'

const PROXY_PATH = /^\/proxy\/([^/]+)\//

export const logCapRefusal = (core: Core, c: Context, message: string): void => {
  const name = PROXY_PATH.exec(c.req.path)?.[1]
  const entry = name === undefined ? null : core.cache.byName(decodeURIComponent(name))
  // Only known groups: unknown paths would let anyone fill the log.
  if (!entry) return
  const now = core.deps.now()
  const info = {
    entry,
    key: null,
    model: '',
    sourceIp: core.deps.clientIp?.(c) ?? '',
    requestPath: c.req.path,
    userAgent: c.req.header('user-agent') ?? '',
    isStream: false,
    body: null,
    startedAt: now,
  }
  const error = `refused by the local concurrency limit: ${message}`
  core.logs.push(toLogRow(info, now, { status: 429, type: 'final', upstream: '', error }))
}
