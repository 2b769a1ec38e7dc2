// The Node adapter's light "client went away" signal: EventTarget's listener rules, fired only
// when a response closes before its last byte, and through the real gateway a client that leaves
// while the upstream has not answered cancels that call and is logged as 499.
import { createServer, request, type Server } from 'node:http'
import { connect, type AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clientSignal, responseClosed } from '../adapters/node/client-signal'
import { ADMIN_KEY, startTestGateway, type TestGateway } from './helpers/gateway'
import { eventually, until } from './helpers/wait'

const listen = async (server: Server) => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

describe('clientSignal', () => {
  const fired: string[] = []
  let server: Server
  let url = ''
  beforeAll(async () => {
    // `/finish` answers; `/hang` never does, so the client's abort closes it early.
    server = createServer((req, res) => {
      const signal = clientSignal(res)
      expect(clientSignal(res)).toBe(signal)
      const a = () => fired.push(`a ${req.url}`)
      const b = () => fired.push(`b ${req.url}`)
      signal.addEventListener('abort', a)
      signal.addEventListener('abort', a)
      signal.addEventListener('abort', b)
      signal.removeEventListener('abort', b)
      res.on('close', () => {
        responseClosed(res)
        fired.push(`closed ${req.url} aborted=${signal.aborted}`)
        if (signal.aborted) expect((signal.reason as Error).name).toBe('AbortError')
      })
      if (req.url === '/finish') res.end('ok')
    })
    url = await listen(server)
  })
  afterAll(() => new Promise((r) => server.close(r)))

  it('stays quiet for a response that was sent whole', async () => {
    const res = await fetch(`${url}/finish`)
    expect(await res.text()).toBe('ok')
    await until(() => fired.includes('closed /finish aborted=false'), 2000, 'close')
    expect(fired.filter((f) => f.endsWith('/finish'))).toEqual([])
  })

  it('fires each listener once when the client leaves first; a removed one never', async () => {
    const req = request(`${url}/hang`)
    req.on('error', () => {})
    req.end()
    await new Promise((r) => setTimeout(r, 100))
    req.destroy()
    await until(() => fired.includes('closed /hang aborted=true'), 2000, 'abort')
    expect(fired.filter((f) => f.startsWith('a') || f.startsWith('b'))).toEqual(['a /hang'])
  })
})

describe('a client that leaves before the upstream answers', () => {
  let gw: TestGateway
  const gwPort = () => Number(new URL(gw.url).port)
  let upstream: Server
  const upstreamEvents: string[] = []
  beforeAll(async () => {
    upstream = createServer((req, res) => {
      req.resume()
      if (req.headers.authorization?.includes('sk-sse')) {
        res.writeHead(200, { 'content-type': 'text/event-stream' })
        const late = req.headers.authorization.includes('late')
        if (late) res.flushHeaders()
        setTimeout(() => res.end('data: {"n":1}\n\ndata: [DONE]\n\n'), late ? 500 : 0)
        return
      }
      upstreamEvents.push('request')
      res.on('close', () => upstreamEvents.push('closed'))
    })
    const upUrl = await listen(upstream)
    gw = await startTestGateway()
    await gw.admin('PUT', '/api/settings', { request_log_write_interval_minutes: 0 })
    await gw.createGroup({ name: 'slow', upstreams: [{ url: upUrl, weight: 1 }] }, ['sk-slow'])
    await gw.createGroup({ name: 'sse-now', upstreams: [{ url: upUrl, weight: 1 }] }, ['sk-sse'])
    await gw.createGroup({ name: 'sse-late', upstreams: [{ url: upUrl, weight: 1 }] }, [
      'sk-sse-late',
    ])
  })
  afterAll(async () => {
    await gw?.stop()
    upstream?.closeAllConnections()
    await new Promise((r) => upstream?.close(r))
  })

  it("holds a stream's headers only within the turn: a late first event does not delay them", async () => {
    const raw = (group: string) =>
      new Promise<{ first: string; ms: number }>((resolve, reject) => {
        const started = Date.now()
        const sock = connect(gwPort(), '127.0.0.1', () => {
          const body = JSON.stringify({ model: 'm', stream: true, messages: [] })
          sock.write(
            `POST /proxy/${group}/v1/chat/completions HTTP/1.1\r\nhost: x\r\n` +
              `authorization: Bearer ${ADMIN_KEY}\r\ncontent-type: application/json\r\n` +
              `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
          )
        })
        sock.once('data', (d) => {
          resolve({ first: d.toString(), ms: Date.now() - started })
          sock.destroy()
        })
        sock.on('error', reject)
      })
    const now = await raw('sse-now')
    expect(now.first).toContain('text/event-stream')
    expect(now.first).toContain('data: {"n":1}')
    // The upstream sends its first event after 500 ms: the headers do not wait for it.
    const late = await raw('sse-late')
    expect(late.first).toContain('text/event-stream')
    expect(late.first).not.toContain('data:')
    expect(late.ms).toBeLessThan(400)
  })

  it('cancels the upstream call within a second and logs 499', async () => {
    const ctrl = new AbortController()
    const call = fetch(`${gw.url}/proxy/slow/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [] }),
      signal: ctrl.signal,
    }).catch((err: Error) => err.name)
    await until(() => upstreamEvents.includes('request'), 2000, 'the upstream gets the call')
    const left = Date.now()
    ctrl.abort()
    expect(await call).toBe('AbortError')
    await until(() => upstreamEvents.includes('closed'), 1000, 'the upstream call is closed')
    expect(Date.now() - left).toBeLessThan(1000)
    type Log = { status_code: number; error_message: string }
    await eventually(async () => {
      const rows = (await gw.admin<{ data: { items: Log[] } }>('GET', '/api/logs?group_name=slow'))
        .body.data.items
      expect(rows[0]).toMatchObject({
        status_code: 499,
        error_message: 'client closed the request',
      })
    }, 2000)
  })
})
