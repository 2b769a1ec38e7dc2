// Serves the built admin console (admin/dist) at `/` with SPA fallback and long-cached hashed
// assets. Until the console is built, `/` explains how to build it.
import { serveStatic } from '@hono/node-server/serve-static'
import type { Hono } from 'hono'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../admin/dist', import.meta.url))

export const serveAdmin = (app: Hono) => {
  const isApi = (path: string) => path.startsWith('/api') || path.startsWith('/proxy')
  if (!existsSync(root)) {
    app.get('/', (c) =>
      c.text('edgeload is running. The admin console is not built (npm run build:admin).'),
    )
    return
  }
  app.use('/assets/*', async (c, next) => {
    await next()
    c.header('cache-control', 'public, max-age=31536000, immutable')
  })
  app.use('*', async (c, next) => (isApi(c.req.path) ? next() : serveStatic({ root })(c, next)))
  app.get('*', async (c, next) =>
    isApi(c.req.path) ? next() : serveStatic({ root, path: 'index.html' })(c, next),
  )
}
