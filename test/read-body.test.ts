// The Node adapter reads the proxy's request body from the IncomingMessage itself: a chunked body
// of many chunks arrives upstream byte for byte, one over the limit is refused with 413 before
// any upstream call, and a client that leaves mid-body leaves the gateway serving.
import { createHash } from 'node:crypto'
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_KEY, startTestGateway, type TestGateway } from './helpers/gateway'
import { eventually, until } from './helpers/wait'

let gw: TestGateway
let upstream: Server
const received: Array<{ bytes: number; sha: string }> = []

beforeAll(async () => {
  upstream = createServer((req, res) => {
    const hash = createHash('sha256')
    let bytes = 0
    req.on('data', (c: Buffer) => (hash.update(c), (bytes += c.byteLength)))
    req.on('end', () => {
      received.push({ bytes, sha: hash.digest('hex') })
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{"ok":true}')
    })
  })
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r))
  const upUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`
  gw = await startTestGateway({ MAX_BODY_SIZE_MB: '1' })
  await gw.admin('PUT', '/api/settings', { request_log_write_interval_minutes: 0 })
  await gw.createGroup({ name: 'echo', upstreams: [{ url: upUrl, weight: 1 }] }, ['sk-echo'])
})

afterAll(async () => {
  await gw?.stop()
  await new Promise((r) => upstream?.close(r))
})

/** A chunked POST (no content-length) written in `parts`; resolves with the status. */
const chunked = (parts: Buffer[], leaveEarly = false) =>
  new Promise<number>((resolve, reject) => {
    const req = request(`${gw.url}/proxy/echo/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    })
    req.on('response', (res) => (res.resume(), resolve(res.statusCode ?? 0)))
    req.on('error', (err) => (leaveEarly ? resolve(-1) : reject(err)))
    const write = (i: number) => {
      if (leaveEarly && i === 2) return req.destroy()
      if (i === parts.length) return void req.end()
      if (req.write(parts[i]!)) setImmediate(() => write(i + 1))
      else req.once('drain', () => write(i + 1))
    }
    write(0)
  })

describe('the proxy request body on Node', () => {
  it('forwards a chunked body of many chunks byte for byte', async () => {
    const head = Buffer.from('{"model":"m","messages":[{"role":"user","content":"')
    const parts = [
      head,
      ...Array.from({ length: 40 }, (_, i) => Buffer.alloc(20_000, 97 + (i % 26))),
    ]
    parts.push(Buffer.from('"}]}'))
    const whole = Buffer.concat(parts)
    expect(await chunked(parts)).toBe(200)
    expect(received.at(-1)).toEqual({
      bytes: whole.byteLength,
      sha: createHash('sha256').update(whole).digest('hex'),
    })
    // Over 64 KiB, the model is found by the byte scan, in the Buffer this reader hands over.
    await eventually(async () => {
      const logs = await gw.admin<{ data: { items: Array<{ model: string }> } }>(
        'GET',
        '/api/logs?group_name=echo',
      )
      expect(logs.body.data.items[0]?.model).toBe('m')
    }, 3000)
  })

  it('refuses a chunked body past the limit with 413, calling no upstream', async () => {
    const before = received.length
    const parts = Array.from({ length: 20 }, () => Buffer.alloc(64 * 1024, 120))
    expect(await chunked(parts)).toBe(413)
    expect(received.length).toBe(before)
  })

  it('keeps serving after a client leaves mid-body', async () => {
    const parts = Array.from({ length: 10 }, () => Buffer.alloc(10_000, 120))
    expect(await chunked(parts, true)).toBe(-1)
    await until(async () => (await gw.chat('echo')).status === 200, 2000, 'serving')
  })
})
