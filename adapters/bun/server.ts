// Serves the app with Bun.serve: Deps from the environment (../node/gateway.ts) with the Bun
// binary's database drivers (database.ts) and Bun's fetch, the admin console from memory, and
// graceful shutdown: stop accepting, let in-flight responses (streams included) finish within
// the shutdown budget, then flush and close.
import type { Server } from 'bun'
import type { EdgeloadApp } from '../../src/app'
import type { Env } from '../../src/config/env'
import { prepareGateway } from '../node/gateway'
import { bunDatabaseOpener } from './database'
import type { Embedded } from './embedded'
import { createBunFetch } from './fetch'
import { serveEmbeddedAdmin } from './static'

export interface BunGateway {
  env: Env
  port: number
  server: Server<undefined>
  edgeload: EdgeloadApp
  /** Stops accepting, drains in-flight requests up to the shutdown budget, flushes, closes. */
  shutdown(): Promise<void>
}

// Bun.serve's idle timeout is at most 255 s.
const MAX_IDLE_S = 255

export const startBunGateway = async (
  raw: Record<string, string | undefined>,
  embedded: Embedded,
): Promise<BunGateway> => {
  let server: Server<undefined> | null = null
  const gw = await prepareGateway(raw, {
    openDatabase: bunDatabaseOpener(embedded),
    createFetch: createBunFetch,
    clientIp: (c) => server?.requestIP(c.req.raw)?.address ?? '',
  })
  const { env, log, edgeload } = gw
  serveEmbeddedAdmin(edgeload.app, embedded.console)

  const app = edgeload.app
  server = Bun.serve({
    port: env.PORT,
    hostname: env.HOST,
    // Between requests, as Node's keepAliveTimeout; a request in flight is never cut (below).
    idleTimeout: Math.min(env.SERVER_IDLE_TIMEOUT, MAX_IDLE_S),
    // The app bounds bodies itself (a declared length before reading, a streamed one as it
    // comes) and answers with its own 413; Bun's limit would answer first, with a bare one.
    maxRequestBodySize: Number.MAX_SAFE_INTEGER,
    fetch(req, srv) {
      // A model may think for minutes before its first byte: no idle cut while answering.
      srv.timeout(req, 0)
      return app.fetch(req, { server: srv })
    },
  })
  const port = server.port ?? env.PORT
  gw.setPort(port)
  log('info', `edgeload listening on http://${env.HOST}:${port}`, { database: gw.dbName })

  let shutting: Promise<void> | null = null
  const shutdown = () =>
    (shutting ??= (async () => {
      const srv = server!
      const deadline = Date.now() + env.SERVER_GRACEFUL_SHUTDOWN_TIMEOUT * 1000
      log('info', 'shutting down: draining in-flight requests', { inFlight: srv.pendingRequests })
      // Keep a margin of the budget for flushing logs and closing the database.
      const wait = Math.max(deadline - Date.now() - 2000, 0)
      let timer: ReturnType<typeof setTimeout> | undefined
      // Resolves once every connection closed: idle ones at once, busy ones after their response.
      await Promise.race([
        srv.stop(false),
        new Promise<void>((ok) => {
          timer = setTimeout(ok, wait)
        }),
      ])
      clearTimeout(timer)
      await srv.stop(true)
      await gw.close()
      log('info', 'shutdown complete')
    })())

  return { env, port, server, edgeload, shutdown }
}
