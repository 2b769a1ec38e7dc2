// Serves the built admin console from admin/dist on disk (console.ts says how).
import { serveStatic } from '@hono/node-server/serve-static'
import type { Hono } from 'hono'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { mountConsole } from './console'

const root = fileURLToPath(new URL('../../admin/dist', import.meta.url))

export const serveAdmin = (app: Hono) =>
  mountConsole(
    app,
    existsSync(root)
      ? { files: serveStatic({ root }), index: serveStatic({ root, path: 'index.html' }) }
      : null,
    'npm run build:admin',
  )
