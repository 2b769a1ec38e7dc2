// adapters/node/fetch.ts against real loopback sockets: headers, streaming, backpressure, aborts,
// timeouts, error hygiene, and a client disconnect through Hono on @hono/node-server.
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { once } from 'node:events'
import { createServer, request as httpRequest } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { connect } from 'node:net'
import type { AddressInfo, Socket } from 'node:net'
import { Worker } from 'node:worker_threads'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { UndiciFetch } from '../adapters/node/fetch'
import { createUndiciFetch } from '../adapters/node/fetch'

type Handler = (req: IncomingMessage, res: ServerResponse) => void
let handler: Handler
let server: Server
let base: string
let upstream: UndiciFetch

/** The FetchFn's plain parts seen as a Response, so assertions read like fetch's. */
const fetchFn = async (
  url: string,
  init: {
    method: string
    headers?: Record<string, string>
    body?: Uint8Array | string
    signal?: AbortSignal
    timeouts?: { connect: number; headers: number; total?: number }
  },
) => {
  const r = await upstream(new URL(url), { headers: {}, body: null, ...init })
  const headers = new Headers(r.headers)
  for (const c of r.cookies ?? []) headers.append('set-cookie', c)
  return new Response(r.body, { status: r.status, headers })
}

const decoder = new TextDecoder()
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const readAll = async (req: IncomingMessage) => {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  return Buffer.concat(chunks).toString()
}

beforeEach(async () => {
  server = createServer((req, res) => handler(req, res))
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  upstream = createUndiciFetch()
})

afterEach(async () => {
  await upstream.close()
  server.closeAllConnections()
  server.close()
})

describe('createUndiciFetch', () => {
  it('sends method, headers and bytes; returns status, headers and body', async () => {
    let seen: { method?: string; headers: IncomingMessage['headers']; body: string } | null = null
    handler = async (req, res) => {
      seen = { method: req.method, headers: req.headers, body: await readAll(req) }
      res.setHeader('set-cookie', ['a=1', 'b=2'])
      res.writeHead(201, {
        'content-type': 'application/json',
        'x-upstream': 'yes',
        connection: 'keep-alive, x-private',
        'x-private': 'hop',
        'keep-alive': 'timeout=5',
        'proxy-authenticate': 'Basic',
        trailer: 'x-t',
      })
      res.end('{"ok":true}')
    }
    const body = new TextEncoder().encode('{"model":"m"}')
    const res = await fetchFn(`${base}/v1/chat?x=1`, {
      method: 'post',
      // Lower-case names, as the FetchFn contract says.
      headers: {
        'content-type': 'application/json',
        host: 'evil',
        connection: 'close',
        'x-a': 'b',
      },
      body,
    })
    expect(res.status).toBe(201)
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(res.headers.get('x-upstream')).toBe('yes')
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2'])
    for (const hop of [
      'connection',
      'keep-alive',
      'transfer-encoding',
      'proxy-authenticate',
      'trailer',
      'x-private',
    ]) {
      expect(res.headers.has(hop)).toBe(false)
    }
    expect(await res.json()).toEqual({ ok: true })
    expect(seen!.method).toBe('POST')
    expect(seen!.body).toBe('{"model":"m"}')
    expect(seen!.headers['x-a']).toBe('b')
    expect(seen!.headers.host).toBe(base.slice(7))
    expect(seen!.headers['content-length']).toBe('13')
  })

  it('reuses one keep-alive socket', async () => {
    const ports: number[] = []
    handler = async (req, res) => {
      ports.push(req.socket.remotePort!)
      res.end(await readAll(req))
    }
    for (let i = 0; i < 3; i++) {
      const body = new TextEncoder().encode(`n${i}`)
      const res = await fetchFn(`${base}/`, { method: 'POST', headers: { a: 'b' }, body })
      expect(await res.text()).toBe(`n${i}`)
      // undici frees the socket a tick after the body ends; a request dispatched sooner opens another.
      await new Promise((r) => setImmediate(r))
    }
    expect(new Set(ports).size).toBe(1)
  })

  it('gives a null body for 204, 304 and HEAD', async () => {
    handler = (req, res) => {
      const status = Number(req.url!.slice(1)) || 200
      res.writeHead(status, { 'x-s': String(status) })
      res.end()
    }
    for (const [path, method] of [
      ['/204', 'GET'],
      ['/304', 'GET'],
      ['/200', 'HEAD'],
    ]) {
      const res = await fetchFn(base + path, { method })
      expect(res.body).toBeNull()
      expect(res.headers.get('x-s')).toBe(path.slice(1))
    }
  })

  it('streams chunk by chunk: the first arrives before the second is sent', async () => {
    let sendSecond!: () => void
    let secondSent = false
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write('data: 1\n\n')
      new Promise<void>((r) => (sendSecond = r)).then(() => {
        secondSent = true
        res.end('data: 2\n\n')
      })
    }
    const res = await fetchFn(`${base}/sse`, { method: 'GET' })
    const reader = res.body!.getReader()
    const first = await reader.read()
    expect(decoder.decode(first.value)).toBe('data: 1\n\n')
    expect(secondSent).toBe(false)
    sendSecond()
    expect(decoder.decode((await reader.read()).value)).toBe('data: 2\n\n')
    expect((await reader.read()).done).toBe(true)
  })

  it('hands the chunks parsed from one socket read to the reader as one', async () => {
    const frames = ['data: 1\n\n', 'data: 2\n\n', 'data: 3\n\n']
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.flushHeaders()
      // Three chunked-encoding frames in one TCP send.
      setTimeout(() => {
        res.cork()
        for (const f of frames) res.write(f)
        res.uncork()
      }, 20)
    }
    const r = await upstream(new URL(`${base}/sse`), { method: 'GET', headers: {}, body: null })
    const reader = (r.body as ReadableStream<Uint8Array>).getReader()
    const first = await reader.read()
    expect(decoder.decode(first.value)).toBe(frames.join(''))
    await reader.cancel()
  })

  it('a burst and the end of the body in one socket read: the reader gets all of it', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.cork()
      res.write('data: 1\n\n')
      res.write('data: 2\n\n')
      res.end()
    }
    const r = await upstream(new URL(`${base}/sse`), { method: 'GET', headers: {}, body: null })
    expect(await new Response(r.body).text()).toBe('data: 1\n\ndata: 2\n\n')
  })

  it('sends what came before a break, then the tail the hooks give', async () => {
    const enc = new TextEncoder()
    const ends: string[] = []
    // Two good frames, then a malformed chunk size, in one TCP send.
    handler = (_req, res) => {
      res.socket!.end(
        'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n' +
          '9\r\ndata: 1\n\n\r\n9\r\ndata: 2\n\n\r\nzz\r\n',
      )
    }
    const r = await upstream(new URL(`${base}/sse`), {
      method: 'GET',
      headers: {},
      body: null,
      hooks: {
        chunk: () => {},
        end: (e) => {
          ends.push(e.how)
          return enc.encode('data: tail\n\n')
        },
      },
    })
    const text = await new Response(r.body).text()
    expect(text).toBe('data: 1\n\ndata: 2\n\ndata: tail\n\n')
    expect(ends).toEqual(['error'])
  })

  it('pauses the upstream when the reader does not read (backpressure)', async () => {
    let written = 0
    let blocked = false
    const chunk = Buffer.alloc(64 * 1024, 'x')
    handler = (_req, res) => {
      res.writeHead(200)
      const pump = () => {
        while (written < 256 * 1024 * 1024) {
          written += chunk.length
          if (!res.write(chunk)) {
            blocked = true
            return void res.once('drain', pump)
          }
        }
        res.end()
      }
      pump()
    }
    const res = await fetchFn(`${base}/big`, { method: 'GET' })
    await sleep(300)
    expect(blocked).toBe(true)
    // Socket buffers plus our 64 KiB queue: a few MiB at most, not the whole 256 MiB.
    expect(written).toBeLessThan(32 * 1024 * 1024)
    await res.body!.cancel()
  })

  it('abort mid-stream errors the body and closes the upstream request', async () => {
    const closed = new Promise<void>((resolve) => {
      handler = (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' })
        const timer = setInterval(() => res.write('data: tick\n\n'), 10)
        res.on('close', () => {
          clearInterval(timer)
          resolve()
        })
      }
    })
    const ac = new AbortController()
    const res = await fetchFn(`${base}/sse`, { method: 'GET', signal: ac.signal })
    const reader = res.body!.getReader()
    await reader.read()
    ac.abort()
    await expect(reader.read()).rejects.toThrow()
    await closed
  })

  it('abort before the headers rejects with the signal reason and closes the request', async () => {
    const closed = new Promise<void>((resolve) => {
      handler = (req) => req.socket.on('close', () => resolve())
    })
    const ac = new AbortController()
    const pending = fetchFn(`${base}/slow`, { method: 'GET', signal: ac.signal })
    setTimeout(() => ac.abort(), 50)
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' })
    await closed
  })

  it('cancel on the body destroys the upstream response', async () => {
    const closed = new Promise<void>((resolve) => {
      handler = (_req, res) => {
        res.writeHead(200)
        res.write('first')
        res.on('close', () => resolve())
      }
    })
    const res = await fetchFn(`${base}/`, { method: 'GET' })
    const reader = res.body!.getReader()
    await reader.read()
    await reader.cancel()
    await closed
  })

  it('times out waiting for headers, without the query in the message', async () => {
    handler = () => {}
    const started = Date.now()
    const err = await fetchFn(`${base}/v1beta/x?key=AIzaSECRET123`, {
      method: 'POST',
      body: new Uint8Array(1),
      timeouts: { connect: 1000, headers: 200 },
    }).catch((e) => e)
    expect(Date.now() - started).toBeLessThan(1500)
    expect(err).toBeInstanceOf(TypeError)
    expect(err.code).toBe('UND_ERR_HEADERS_TIMEOUT')
    expect(err.message).toContain('/v1beta/x')
    expect(err.message).not.toContain('SECRET')
    expect(err.message).not.toContain('?key')
  })

  it('bounds a plain request by timeouts.total: headers first, then a body still streaming', async () => {
    handler = (req, res) => {
      if (req.url === '/late') return void setTimeout(() => res.end('{}'), 4000)
      res.writeHead(200, { 'content-length': '10' })
      res.write('{"a":')
    }
    const started = Date.now()
    const late = await fetchFn(`${base}/late`, {
      method: 'GET',
      timeouts: { connect: 1000, headers: 10_000, total: 1000 },
    }).catch((e) => e)
    expect(late.code).toBe('UND_ERR_HEADERS_TIMEOUT')
    // undici's header timer ticks coarsely (about a second); the bound is the total, not 10 s.
    expect(Date.now() - started).toBeLessThan(2600)
    const bodyStarted = Date.now()
    const res = await fetchFn(`${base}/slow-body`, {
      method: 'GET',
      timeouts: { connect: 1000, headers: 10_000, total: 300 },
    })
    expect(res.status).toBe(200)
    const err = await res.text().catch((e) => e)
    expect(err).toBeInstanceOf(Error)
    expect(Date.now() - bodyStarted).toBeLessThan(1500)
  })

  it('fails fast on a closed port, without the query in the message', async () => {
    const err = await fetchFn('http://127.0.0.1:1/v1/models?key=AIzaSECRET123', {
      method: 'GET',
      timeouts: { connect: 1000, headers: 1000 },
    }).catch((e) => e)
    expect(err.code).toBe('ECONNREFUSED')
    expect(err.message).not.toContain('SECRET')
    expect(err.message).not.toContain('key=')
  })
})

// A listener whose thread never accepts: once its accept queue is full, the kernel drops SYNs,
// so a connect hangs until our timeout (the sandbox answers every outbound address itself).
describe('connect timeout', () => {
  const lock = new Int32Array(new SharedArrayBuffer(4))
  const fillers: Socket[] = []
  let worker: Worker

  afterAll(async () => {
    for (const s of fillers) s.destroy()
    Atomics.store(lock, 0, 1)
    Atomics.notify(lock, 0)
    await worker?.terminate()
  })

  it('rejects after timeouts.connect when the upstream never accepts', async () => {
    worker = new Worker(
      `const net = require('node:net'); const { parentPort, workerData } = require('node:worker_threads')
       const s = net.createServer().listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
         parentPort.postMessage(s.address().port)
         Atomics.wait(new Int32Array(workerData), 0, 0)
       })`,
      { eval: true, workerData: lock.buffer },
    )
    const [port] = (await once(worker, 'message')) as [number]
    // Fill the accept queue until a connect no longer completes.
    let full = false
    for (let i = 0; i < 16 && !full; i++) {
      const s = connect(port, '127.0.0.1')
      fillers.push(s)
      full = !(await Promise.race([once(s, 'connect').then(() => true), sleep(100)]))
    }
    expect(full).toBe(true)
    const started = Date.now()
    const err = await fetchFn(`http://127.0.0.1:${port}/v1/models?key=AIzaSECRET123`, {
      method: 'GET',
      timeouts: { connect: 300, headers: 5000 },
    }).catch((e) => e)
    const elapsed = Date.now() - started
    expect(err.code).toBe('UND_ERR_CONNECT_TIMEOUT')
    expect(elapsed).toBeGreaterThanOrEqual(250)
    expect(elapsed).toBeLessThan(2000)
    expect(err.message).not.toContain('SECRET')
  })
})

describe('through Hono on @hono/node-server', () => {
  it('passes a stream through and survives a client disconnect mid-stream', async () => {
    let upstreamClosed!: () => void
    const closed = new Promise<void>((r) => (upstreamClosed = r))
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      const timer = setInterval(() => res.write('data: tick\n\n'), 5)
      res.on('close', () => {
        clearInterval(timer)
        upstreamClosed()
      })
    }
    const app = new Hono().get('/sse', (c) =>
      fetchFn(`${base}/sse`, { method: 'GET', signal: c.req.raw.signal }),
    )
    const gateway = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
    await once(gateway, 'listening')
    const port = (gateway.address() as AddressInfo).port
    try {
      for (let i = 0; i < 5; i++) {
        const req = httpRequest({ port, host: '127.0.0.1', path: '/sse' })
        req.end()
        const [res] = (await once(req, 'response')) as [IncomingMessage]
        expect(res.headers['content-type']).toBe('text/event-stream')
        await once(res, 'data')
        req.destroy()
      }
      await closed
      await sleep(50)
    } finally {
      gateway.close()
    }
  })
})
