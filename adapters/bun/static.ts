// Serves the admin console compiled into the binary from memory (console.ts says how): the same
// content types (hono's table), gzip and caching as Node's admin/dist on disk.
import type { Hono } from 'hono'
import { serveStatic } from 'hono/serve-static'
import { mountConsole } from '../node/console'

export const serveEmbeddedAdmin = (app: Hono, files: Record<string, string>) => {
  const bytes = new Map<string, Uint8Array<ArrayBuffer>>()
  for (const [path, base64] of Object.entries(files)) {
    bytes.set(path, new Uint8Array(Buffer.from(base64, 'base64')))
  }
  const getContent = async (path: string) => bytes.get(path) ?? null
  // serveStatic joins the root and the request path: `/` + `/assets/x.js` is `/assets/x.js`.
  const join = (...parts: string[]) => ('/' + parts.join('/')).replace(/\/+/g, '/')
  mountConsole(
    app,
    bytes.has('/index.html')
      ? {
          files: serveStatic({ root: '/', join, getContent }),
          index: serveStatic({ root: '/', path: 'index.html', join, getContent }),
        }
      : null,
    'build it, then run npm run build:bun again',
  )
}
