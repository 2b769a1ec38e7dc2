// How the built admin console is served, whatever reads its files (Node: admin/dist on disk;
// the Bun binary: copies compiled in): hashed assets cached for a year, index.html revalidated
// on every load (so a new build is picked up at once), SPA fallback for the console's routes,
// gzip for text, and the console's security headers (src/http/security-headers.ts). Without a
// build, `/` explains how to make one.
import type { Hono, MiddlewareHandler } from 'hono'
import { compress } from 'hono/compress'
import { CONSOLE_HEADERS, securityHeaders } from '../../src/http/security-headers'

export interface ConsoleFiles {
  /** Serves the file the path names, or calls next(). */
  files: MiddlewareHandler
  /** Serves index.html. */
  index: MiddlewareHandler
}

// The API and proxy never pass through here: proxied SSE must not be buffered by a compressor.
const isApi = (path: string) => path.startsWith('/api') || path.startsWith('/proxy')
const isAsset = (path: string) => path.startsWith('/assets/')

const cacheHeaders: MiddlewareHandler = async (c, next) => {
  await next()
  if (c.res.status !== 200) return
  if (isAsset(c.req.path)) c.header('cache-control', 'public, max-age=31536000, immutable')
  else if ((c.res.headers.get('content-type') ?? '').startsWith('text/html')) {
    c.header('cache-control', 'no-cache')
  }
}

export const mountConsole = (app: Hono, built: ConsoleFiles | null, howToBuild: string) => {
  const secure = securityHeaders(CONSOLE_HEADERS)
  app.use('*', (c, next) => (isApi(c.req.path) ? next() : secure(c, next)))
  if (!built) {
    app.get('/', (c) =>
      c.text(`edgeload is running. The admin console is not built (${howToBuild}).`),
    )
    return
  }
  const gzip = compress()
  app.use('*', (c, next) => (isApi(c.req.path) ? next() : gzip(c, next)))
  app.use('*', (c, next) => (isApi(c.req.path) ? next() : cacheHeaders(c, next)))
  app.use('*', (c, next) => (isApi(c.req.path) ? next() : built.files(c, next)))
  // A missing hashed asset is a 404, not the console page (which would then be cached a year).
  app.get('*', (c, next) =>
    isApi(c.req.path) || isAsset(c.req.path) ? next() : built.index(c, next),
  )
}
