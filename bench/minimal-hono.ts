// The fixed stack's own floor: a Hono app on @hono/node-server that forwards every request through
// edgeload's Node adapter pieces (the body read from the IncomingMessage, the undici-Pool fetch,
// the response's client signal), with none of the gateway's work: no proxy-key check, group
// lookup, key pick, retry bookkeeping or log row. edgeload's cost above this is its own work;
// this one's above `minimal` is what Hono, its Node server and Web Responses cost.
// Run: UPSTREAM=http://127.0.0.1:N PORT=M tsx bench/minimal-hono.ts
import { serve, type HttpBindings } from '@hono/node-server'
import { Hono } from 'hono'
import { clientSignal, responseClosed } from '../adapters/node/client-signal'
import { createUndiciFetch } from '../adapters/node/fetch'
import { readNodeBody } from '../adapters/node/read-body'
import { responseHeaders } from '../src/proxy/response'

const upstream = (process.env.UPSTREAM ?? 'http://127.0.0.1:8081').replace(/\/+$/, '')
const fetchUpstream = createUndiciFetch()

function onClose(this: HttpBindings['outgoing']) {
  responseClosed(this)
}

const app = new Hono<{ Bindings: HttpBindings }>()
app.all('*', async (c) => {
  const { incoming, outgoing } = c.env
  outgoing.on('close', onClose)
  const method = c.req.method
  const body = method === 'GET' || method === 'HEAD' ? null : await readNodeBody(c, 64 << 20)
  const signal = clientSignal(outgoing)
  const res = await fetchUpstream(new URL(upstream + incoming.url), {
    method,
    headers: incoming.headers as Record<string, string>,
    body,
    signal,
  })
  // The adapter has dropped the hop-by-hop headers; these are the headers edgeload answers with.
  return new Response(res.body, { status: res.status, headers: responseHeaders(res, false) })
})

serve({
  fetch: app.fetch,
  port: Number(process.env.PORT ?? 8080),
  hostname: process.env.HOST ?? '127.0.0.1',
})
process.on('SIGTERM', () => process.exit(0))
