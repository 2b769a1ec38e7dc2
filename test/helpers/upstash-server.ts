// An Upstash-REST server for tests, in front of the real Redis: the real @upstash/redis client
// talks to it as to Upstash, so openUpstash and the Lua scripts are tested over HTTP. No such
// server ships through npm. It speaks what @upstash/redis 1.39 sends and decodes: `POST /` with
// one command as a JSON array, `POST /pipeline` with an array of them (answered item by item
// with `{result}` or `{error}`), a Bearer token, and `Upstash-Encoding: base64`.
import { randomUUID } from 'node:crypto'
import type { Server } from 'node:http'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { Redis } from 'ioredis'
import { REDIS_TEST_URL } from './redis'

export interface UpstashServer {
  /** `http://127.0.0.1:PORT`: UPSTASH_REDIS_REST_URL. */
  url: string
  token: string
  /** Redis commands served (each item of a pipeline counts). */
  commands(): number
  /** HTTP requests served, for tests that count round trips. */
  requests(): number
  close(): Promise<void>
}

type Arg = string | number | boolean

const isCommand = (x: unknown): x is [string, ...Arg[]] =>
  Array.isArray(x) &&
  typeof x[0] === 'string' &&
  x.every((a) => ['string', 'number', 'boolean'].includes(typeof a))

/**
 * A reply as JSON. ioredis gives bulk and status replies alike as Buffers, so both go out
 * base64-encoded; the client decodes "T0s=" to "OK" just as it keeps Upstash's plain "OK".
 * Integers stay numbers, nil is null, arrays are encoded item by item.
 */
const toJson = (reply: unknown, base64: boolean): unknown => {
  if (Buffer.isBuffer(reply)) return base64 ? reply.toString('base64') : reply.toString('utf8')
  if (Array.isArray(reply)) return reply.map((r) => toJson(r, base64))
  if (reply instanceof Error) return reply.message
  return reply ?? null
}

export const startUpstashServer = async (redisUrl = REDIS_TEST_URL): Promise<UpstashServer> => {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 })
  const token = randomUUID()
  let commands = 0
  let requests = 0

  // callBuffer: values reach Redis and come back byte for byte, never re-decoded on the way.
  const run = async ([name, ...args]: [string, ...Arg[]], base64: boolean) => {
    commands++
    try {
      return { result: toJson(await redis.callBuffer(name, args.map(String)), base64) }
    } catch (err) {
      return { error: (err as Error).message }
    }
  }

  const app = new Hono<{ Variables: { base64: boolean } }>()
  app.use(async (c, next) => {
    requests++
    if (c.req.header('authorization') !== `Bearer ${token}`) {
      return c.json({ error: 'Unauthorized' }, 401)
    }
    c.set('base64', c.req.header('upstash-encoding')?.toLowerCase() === 'base64')
    await next()
  })
  app.post('/', async (c) => {
    const body: unknown = await c.req.json().catch(() => null)
    if (!isCommand(body)) return c.json({ error: 'ERR failed to parse command' }, 400)
    const out = await run(body, c.get('base64'))
    return 'error' in out ? c.json(out, 400) : c.json(out)
  })
  app.post('/pipeline', async (c) => {
    const body: unknown = await c.req.json().catch(() => null)
    if (!Array.isArray(body) || body.length === 0 || !body.every(isCommand)) {
      return c.json({ error: 'ERR failed to parse pipeline request' }, 400)
    }
    // Sent in order on one connection, as Upstash runs a pipeline: not atomic, each item answered.
    return c.json(await Promise.all(body.map((cmd) => run(cmd, c.get('base64')))))
  })

  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () =>
      resolve(s as Server),
    )
  })
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    commands: () => commands,
    requests: () => requests,
    close: async () => {
      // The client keeps connections alive; close() alone would wait for them to idle out.
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
      await redis.quit()
    },
  }
}
