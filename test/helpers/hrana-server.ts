// A libSQL server for tests: the Hrana 2 protocol over HTTP (`POST /v2/pipeline`, JSON), the one
// @libsql/client speaks over http(s), in front of a real SQLite file (better-sqlite3). No sqld
// ships through npm and there is no network here, so this stands in for Turso or sqld the way
// the Upstash-REST helper stands in for Upstash. Like sqld, each stream has its own connection,
// a batch runs its steps in order with their conditions, and a baton carries a stream (and an
// interactive transaction) from one request to the next. Follows libsql/hrana-test-server.
import { randomBytes } from 'node:crypto'
import { serve, type ServerType } from '@hono/node-server'
import Database from 'better-sqlite3'
import { handle, HranaError, sqliteError, type Request, type Stream } from './hrana-exec'
import { Hono } from 'hono'

export interface HranaServer {
  /** `http://127.0.0.1:PORT`: DATABASE_DSN with LIBSQL_AUTH_TOKEN, or `libsql://…?tls=0`. */
  url: string
  token: string
  /** Pipeline requests served, for tests that count round trips. */
  requests(): number
  close(): Promise<void>
}

/** A stream idle this long is closed, its transaction rolled back, as sqld does. */
const STREAM_IDLE_MS = 10_000

export const startHranaServer = async (
  file: string,
  token = 'test-token',
): Promise<HranaServer> => {
  const streams = new Map<string, Stream>()
  let served = 0
  const open = (): Stream => {
    const conn = new Database(file)
    conn.pragma('journal_mode = WAL')
    // Statements run synchronously on the one event loop, so waiting on a lock another stream
    // holds would stall the request that could release it: report SQLITE_BUSY at once instead.
    conn.pragma('busy_timeout = 0')
    return { conn, sqls: new Map(), baton: '', lastUsed: Date.now() }
  }
  const closeStream = (id: string) => {
    streams.get(id)?.conn.close()
    streams.delete(id)
  }
  const sweep = setInterval(() => {
    for (const [id, s] of streams) if (Date.now() - s.lastUsed > STREAM_IDLE_MS) closeStream(id)
  }, 1000)
  sweep.unref()

  const app = new Hono()
  app.use('*', async (c, next) => {
    if (c.req.header('authorization') !== `Bearer ${token}`) {
      return c.text('Unauthorized: a valid Bearer token is required', 401)
    }
    await next()
  })
  app.get('/v2', (c) => c.text('Hrana 2 over HTTP'))
  app.post('/v2/pipeline', async (c) => {
    served++
    const body = (await c.req.json()) as { baton: string | null; requests: Request[] }
    let id: string
    let stream: Stream | undefined
    if (body.baton) {
      id = body.baton.split('.')[0]
      stream = streams.get(id)
      if (!stream || stream.baton !== body.baton) {
        return c.json({ message: 'stream expired or baton invalid', code: 'STREAM_EXPIRED' }, 400)
      }
    } else {
      id = randomBytes(12).toString('hex')
      stream = open()
      streams.set(id, stream)
    }
    stream.lastUsed = Date.now()
    const results: unknown[] = []
    let closed = false
    for (const req of body.requests) {
      if (req.type === 'close') {
        closeStream(id)
        closed = true
        results.push({ type: 'ok', response: { type: 'close' } })
        continue
      }
      if (closed) {
        results.push({ type: 'error', error: { message: 'stream is closed' } })
        continue
      }
      try {
        results.push({ type: 'ok', response: handle(stream, req) })
      } catch (err) {
        const e = err instanceof HranaError ? err : sqliteError(err)
        results.push({ type: 'error', error: e.toJSON() })
      }
    }
    stream.baton = closed ? '' : `${id}.${randomBytes(8).toString('hex')}`
    return c.json({ baton: closed ? null : stream.baton, base_url: null, results })
  })

  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s))
  })
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    requests: () => served,
    close: async () => {
      clearInterval(sweep)
      for (const id of [...streams.keys()]) closeStream(id)
      await new Promise<void>((r) => server.close(() => r()))
    },
  }
}
