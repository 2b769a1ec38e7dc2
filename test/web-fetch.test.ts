// The portable FetchFn (Workers, Bun, in-process tests): request_timeout bounds the whole exchange,
// body included, and the client's abort reaches the upstream call.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ClientSignal } from '../src/deps'
import { fromWebFetch } from '../src/http/web-fetch'

let server: Server
let base = ''
const webFetch = fromWebFetch(fetch)

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/silent') return // never answers
    if (req.url === '/stalled-body') {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write('{"partial":')
      return // the rest never comes
    }
    res.writeHead(200, { 'content-type': 'application/json', connection: 'keep-alive' })
    res.end('{"ok":true}')
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((ok) => server.close(ok))
})

const call = (path: string, total?: number, signal?: ClientSignal) =>
  webFetch(new URL(base + path), {
    method: 'GET',
    headers: {},
    body: null,
    signal,
    timeouts: total ? { connect: 5000, headers: 5000, total } : undefined,
  })

const elapsed = async (p: Promise<unknown>) => {
  const t0 = Date.now()
  const err = await p.then(
    () => null,
    (e: unknown) => e as Error,
  )
  return { err, ms: Date.now() - t0 }
}

describe('fromWebFetch', () => {
  it('answers with the upstream status and headers, hop-by-hop ones dropped', async () => {
    const res = await call('/ok', 2000)
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe('application/json')
    expect(res.headers.connection).toBeUndefined()
    expect(await new Response(res.body as ReadableStream).text()).toBe('{"ok":true}')
  })

  it('cuts a call whose headers never come at the total, as a TimeoutError', async () => {
    const { err, ms } = await elapsed(call('/silent', 300))
    expect(err?.name).toBe('TimeoutError')
    expect(ms).toBeGreaterThanOrEqual(280)
    expect(ms).toBeLessThan(2000)
  })

  it('cuts a body that stalls after the headers at the same total', async () => {
    const t0 = Date.now()
    const res = await call('/stalled-body', 400)
    expect(res.status).toBe(200)
    const { err } = await elapsed(new Response(res.body as ReadableStream).text())
    expect(err?.name).toBe('TimeoutError')
    expect(Date.now() - t0).toBeGreaterThanOrEqual(380)
    expect(Date.now() - t0).toBeLessThan(2500)
  })

  it("passes the client's abort on, with and without a total", async () => {
    for (const total of [undefined, 60_000]) {
      const client = new AbortController()
      setTimeout(() => client.abort(new Error('client went away')), 100)
      const { err, ms } = await elapsed(call('/silent', total, client.signal))
      expect(err?.message).toBe('client went away')
      expect(ms).toBeLessThan(2000)
    }
  })

  it('passes on the abort of a signal that is not an AbortSignal (the Node adapter hands one)', async () => {
    const listeners: Array<() => void> = []
    const light: ClientSignal = {
      aborted: false,
      reason: undefined,
      addEventListener: (_t, fn) => void listeners.push(fn),
      removeEventListener: () => {},
    }
    setTimeout(() => {
      Object.assign(light, { aborted: true, reason: new Error('light went away') })
      for (const fn of listeners) fn()
    }, 100)
    const { err, ms } = await elapsed(call('/silent', undefined, light))
    expect(err?.message).toBe('light went away')
    expect(ms).toBeLessThan(2000)
  })

  it('aborts at once when the client is already gone', async () => {
    const client = new AbortController()
    client.abort(new Error('gone before'))
    const { err } = await elapsed(call('/ok', 60_000, client.signal))
    expect(err?.message).toBe('gone before')
  })
})
