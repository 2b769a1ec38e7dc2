// The console's API client (admin/src/api.ts) against a real HTTP server on 127.0.0.1: the
// envelope, errors a person can read, 401 handling and an unreachable gateway.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ApiError, checkAdminKey, createApi } from '../admin/src/api'

describe('api client', () => {
  type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void
  let server: Server
  let handler: Handler = (_req, _body, res) => res.end()
  const seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] =
    []
  // Node's fetch resolves relative URLs ('/api/…', as the browser does) against this origin.
  const ORIGIN = Symbol.for('undici.globalOrigin.1')
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(body))
  }

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = ''
      req.on('data', (c: Buffer) => (body += c))
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, headers: req.headers, body })
        handler(req, body, res)
      })
    })
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
    const { port } = server.address() as AddressInfo
    ;(globalThis as Record<symbol, unknown>)[ORIGIN] = new URL(`http://127.0.0.1:${port}`)
  })
  afterEach(() => {
    seen.length = 0
  })
  afterAll(async () => {
    delete (globalThis as Record<symbol, unknown>)[ORIGIN]
    await new Promise((done) => server.close(done))
  })

  const rejection = async (p: Promise<unknown>) => {
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(ApiError)
    return err as ApiError
  }

  it('unwraps data and sends the key, language, query and JSON body', async () => {
    handler = (_req, _body, res) => json(res, 200, { code: 0, message: 'ok', data: { id: 9 } })
    const api = createApi('k-1', 'zh-CN', () => {})
    expect(await api.get('/groups', { a: 1, empty: '', none: undefined, b: true })).toEqual({
      id: 9,
    })
    expect(await api.put('/groups/9', { name: 'x' })).toEqual({ id: 9 })
    expect(seen[0]).toMatchObject({ method: 'GET', url: '/api/groups?a=1&b=true' })
    expect(seen[0]!.headers).toMatchObject({
      authorization: 'Bearer k-1',
      'accept-language': 'zh-CN',
    })
    expect(seen[1]).toMatchObject({ method: 'PUT', url: '/api/groups/9', body: '{"name":"x"}' })
    expect(seen[1]!.headers['content-type']).toBe('application/json')
  })

  it('turns an error envelope into an ApiError with its status, code and message', async () => {
    handler = (_req, _body, res) =>
      json(res, 400, { code: 'VALIDATION_FAILED', message: 'name: required' })
    const err = await rejection(createApi('k', 'en-US', () => {}).post('/groups', {}))
    expect([err.status, err.code, err.message]).toEqual([
      400,
      'VALIDATION_FAILED',
      'name: required',
    ])
  })

  it('treats a 200 with a non-zero code as a failure', async () => {
    handler = (_req, _body, res) => json(res, 200, { code: 'CONFLICT', message: 'busy' })
    const err = await rejection(createApi('k', 'en-US', () => {}).del('/keys/1'))
    expect([err.status, err.code, err.message]).toEqual([200, 'CONFLICT', 'busy'])
  })

  it('uses `error` or the HTTP status when the body has no message', async () => {
    handler = (_req, _body, res) => json(res, 502, { error: 'bad gateway upstream' })
    expect((await rejection(createApi('k', 'en', () => {}).get('/x'))).message).toBe(
      'bad gateway upstream',
    )
    handler = (_req, _body, res) => {
      res.writeHead(503, 'Service Unavailable', { 'content-type': 'text/html' })
      res.end('<h1>down</h1>')
    }
    const err = await rejection(createApi('k', 'en', () => {}).get('/x'))
    expect([err.status, err.code, err.message]).toEqual([
      503,
      'HTTP_ERROR',
      'HTTP 503 Service Unavailable',
    ])
  })

  it('rejects a 200 whose body is not JSON', async () => {
    handler = (_req, _body, res) => res.end('not json')
    const err = await rejection(createApi('k', 'en', () => {}).get('/x'))
    expect([err.status, err.code]).toEqual([200, 'HTTP_ERROR'])
  })

  it('calls onUnauthorized on a 401, and only then', async () => {
    let calls = 0
    const api = createApi('old', 'en', () => calls++)
    handler = (_req, _body, res) => json(res, 403, { code: 'FORBIDDEN', message: 'no' })
    await rejection(api.get('/x'))
    expect(calls).toBe(0)
    handler = (_req, _body, res) => json(res, 401, { code: 'UNAUTHORIZED', message: 'bad key' })
    expect((await rejection(api.get('/x'))).status).toBe(401)
    expect((await rejection(api.download('/logs/export'))).status).toBe(401)
    expect(calls).toBe(2)
  })

  it('downloads a file with the filename from content-disposition', async () => {
    handler = (_req, _body, res) => {
      res.writeHead(200, {
        'content-type': 'text/csv',
        'content-disposition': 'attachment; filename="logs-2026.csv"',
      })
      res.end('a,b\n1,2\n')
    }
    const file = await createApi('k', 'en', () => {}).download('/logs/export', { model: 'm' })
    expect(file.filename).toBe('logs-2026.csv')
    expect(await file.blob.text()).toBe('a,b\n1,2\n')
    expect(seen[0]!.url).toBe('/api/logs/export?model=m')
    expect(seen[0]!.headers.authorization).toBe('Bearer k')
  })

  it('reports an unreachable gateway as a NETWORK error', async () => {
    const origin = (globalThis as Record<symbol, unknown>)[ORIGIN]
    // port 1 on loopback: nothing listens there, so the connection is refused
    ;(globalThis as Record<symbol, unknown>)[ORIGIN] = new URL('http://127.0.0.1:1')
    try {
      const err = await rejection(createApi('k', 'en', () => {}).get('/x'))
      expect([err.status, err.code, err.message]).toEqual([
        0,
        'NETWORK',
        'The gateway cannot be reached. Is it running?',
      ])
      const zh = await rejection(createApi('k', 'zh-CN', () => {}).get('/x'))
      expect(zh.message).toMatch(/^无法连接到网关/)
      expect((await rejection(checkAdminKey('k', 'zh-CN'))).message).toMatch(/^无法连接到网关/)
    } finally {
      ;(globalThis as Record<symbol, unknown>)[ORIGIN] = origin
    }
  })

  it('checks the admin key: true, false on 401, ApiError otherwise', async () => {
    handler = (_req, _body, res) => json(res, 200, { success: true, message: 'ok' })
    expect(await checkAdminKey('good')).toBe(true)
    expect(JSON.parse(seen[0]!.body)).toEqual({ auth_key: 'good' })
    handler = (_req, _body, res) => json(res, 401, { success: false, message: 'no' })
    expect(await checkAdminKey('bad')).toBe(false)
    handler = (_req, _body, res) => json(res, 500, { message: 'db down' })
    const err = await rejection(checkAdminKey('x'))
    expect([err.status, err.message]).toEqual([500, 'db down'])
  })
})
