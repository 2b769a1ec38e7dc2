// Serves the app with @hono/node-server: Deps from the environment (gateway.ts) with Node's
// database drivers (database.ts) and an undici-backed fetch, the admin console, graceful shutdown.
import { serve, type HttpBindings } from '@hono/node-server'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { EdgeloadApp } from '../../src/app'
import type { Env } from '../../src/config/env'
import { openDatabase } from './database'
import { createUndiciFetch } from './fetch'
import { prepareGateway } from './gateway'
import { clientSignal, responseClosed } from './client-signal'
import { closeUnreadBody } from './linger'
import { readNodeBody } from './read-body'
import { createSlots } from './slots'
import { serveAdmin } from './static'

export interface NodeGateway {
  env: Env
  port: number
  server: Server
  edgeload: EdgeloadApp
  /** Stops accepting, drains in-flight requests up to the shutdown budget, flushes, closes. */
  shutdown(): Promise<void>
}

export const startNodeGateway = async (
  raw: Record<string, string | undefined>,
): Promise<NodeGateway> => {
  const gw = await prepareGateway(raw, {
    openDatabase,
    createFetch: (env) => createUndiciFetch({ env }),
    clientIp: (c) => (c.env as HttpBindings | undefined)?.incoming?.socket?.remoteAddress ?? '',
    // IncomingMessage already holds the headers as a plain object: no Headers object to build.
    requestHeaders: (c) => (c.env as HttpBindings).incoming.headers,
    clientSignal: (c) => clientSignal((c.env as HttpBindings).outgoing),
    readBody: readNodeBody,
  })
  const { env, log, deps, edgeload } = gw
  serveAdmin(edgeload.app)

  let inFlight = 0
  let drained: (() => void) | null = null
  let draining = false
  const open = createSlots<HttpBindings['outgoing']>()
  // While draining, each response ends its connection so pooled clients cannot keep us busy.
  const closeAfter = (o: HttpBindings['outgoing']) => {
    if (!o.headersSent) o.setHeader('connection', 'close')
    o.shouldKeepAlive = false
  }
  // One shared listener (no closure per request): a response counts as in flight until its
  // last byte, streams included, has gone out.
  function onClose(this: HttpBindings['outgoing']) {
    responseClosed(this)
    open.delete(this)
    if (--inFlight === 0) drained?.()
  }
  const server = serve({
    fetch: (req, bindings) => {
      const { incoming, outgoing } = bindings as HttpBindings
      inFlight++
      open.add(outgoing)
      if (draining) closeAfter(outgoing)
      outgoing.on('close', onClose)
      // An answer given before the body was read (a 413) closes after a lingering drain.
      const ready = (res: Response) => {
        closeUnreadBody(incoming, outgoing)
        return res
      }
      const answer = edgeload.app.fetch(req, bindings)
      return answer instanceof Promise ? answer.then(ready) : ready(answer)
    },
    port: env.PORT,
    hostname: env.HOST,
    serverOptions: {
      // Headers and body alike; Node checks these only every connectionsCheckingInterval
      // (30 s by default, so a 60 s limit cut at up to 90 s): every 500 ms keeps it within 1 s.
      requestTimeout: env.SERVER_READ_TIMEOUT * 1000,
      headersTimeout: env.SERVER_READ_TIMEOUT * 1000,
      connectionsCheckingInterval: 500,
      keepAliveTimeout: env.SERVER_IDLE_TIMEOUT * 1000,
    },
  }) as Server
  // `Expect: 100-continue` with a declared length over the limit: no 100, so the client sends no
  // body and reads the 413 at once. Otherwise go on as Node does without this listener.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (!(Number(req.headers['content-length']) > deps.config.maxBodyBytes)) res.writeContinue()
    server.emit('request', req, res)
  })
  await new Promise<void>((ok, fail) => {
    if (server.listening) return ok()
    server.once('listening', ok)
    server.once('error', fail)
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : env.PORT
  gw.setPort(port)
  log('info', `edgeload listening on http://${env.HOST}:${port}`, { database: gw.dbName })

  let shutting: Promise<void> | null = null
  const shutdown = () =>
    (shutting ??= (async () => {
      const deadline = Date.now() + env.SERVER_GRACEFUL_SHUTDOWN_TIMEOUT * 1000
      log('info', 'shutting down: draining in-flight requests', { inFlight })
      draining = true
      open.values().forEach(closeAfter)
      server.close()
      server.closeIdleConnections()
      if (inFlight > 0) {
        // Keep a margin of the budget for flushing logs and closing the database.
        const wait = Math.max(deadline - Date.now() - 2000, 0)
        await new Promise<void>((ok) => {
          drained = ok
          setTimeout(ok, wait).unref()
        })
      }
      server.closeAllConnections()
      await gw.close()
      log('info', 'shutdown complete')
    })())

  return { env, port, server, edgeload, shutdown }
}
