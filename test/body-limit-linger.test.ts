// A 413 reaches a client that keeps writing (issue 9, item 9): raw sockets send a 128 MiB body
// in 1 MiB slices without waiting for the socket to drain, to a gateway with a 1 MiB limit. Each
// writes it all before it reads, and must then read the 413 status line rather than a reset, on
// /proxy and on the admin API.
import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream'
import { ADMIN_KEY, startTestGateway, type TestGateway } from './helpers/gateway'

const MIB = 1024 * 1024
const SLICES = 128

let up: FakeUpstream
let t: TestGateway

beforeAll(async () => {
  up = await startFakeUpstream()
  t = await startTestGateway({ MAX_BODY_SIZE_MB: '1' })
  await t.createGroup({ name: 'oa', upstreams: [{ url: up.url, weight: 1 }] }, ['sk-oa-1'])
})

afterAll(async () => {
  await t?.stop()
  await up?.close()
})

interface Outcome {
  /** The first line the client read: the status line, or '' when none came. */
  statusLine: string
  /** The socket error the client saw, if any (EPIPE, ECONNRESET...). */
  error: string | null
}

/** One upload on a raw socket: headers, then 128 MiB written at once, never waiting on drain. */
const upload = (path: string, extra: Record<string, string> = {}): Promise<Outcome> =>
  new Promise((resolve) => {
    const sock = connect(t.gw.port, '127.0.0.1')
    let got = ''
    let error: string | null = null
    const head = {
      host: '127.0.0.1',
      authorization: `Bearer ${ADMIN_KEY}`,
      'content-type': 'application/json',
      'content-length': String(SLICES * MIB),
      ...extra,
    }
    // Like most HTTP clients, it reads the answer only once the whole body is written. A server
    // that closes on unread bytes makes the kernel send a reset, and the writes fail with EPIPE.
    sock.pause()
    sock.on('finish', () => sock.resume())
    sock.on('data', (d) => (got += d.toString('latin1')))
    sock.on('error', (e) => (error = (e as NodeJS.ErrnoException).code ?? e.message))
    sock.on('close', () => resolve({ statusLine: got.split('\r\n')[0], error }))
    sock.write(
      `POST ${path} HTTP/1.1\r\n` +
        Object.entries(head)
          .map(([k, v]) => `${k}: ${v}\r\n`)
          .join('') +
        '\r\n',
    )
    // The same buffer each time: the queue holds references, not 128 MiB of copies.
    const slice = Buffer.alloc(MIB, 0x20)
    for (let i = 0; i < SLICES; i++) sock.write(slice)
    sock.end()
  })

/** Runs `n` uploads, `width` at a time. */
const many = async (n: number, width: number, run: () => Promise<Outcome>) => {
  const out: Outcome[] = []
  const lane = async () => {
    while (out.length < n) {
      const slot = out.length
      out.push({ statusLine: 'pending', error: null })
      out[slot] = await run()
    }
  }
  await Promise.all(Array.from({ length: width }, lane))
  return out
}

/** A raw socket that records what it reads and when it closed. */
const rawClient = () => {
  // Half-open: our FIN after the answer does not make this client stop writing or close.
  const sock = connect({ port: t.gw.port, host: '127.0.0.1', allowHalfOpen: true })
  const state = { got: '', closedAt: 0, error: null as string | null }
  sock.on('data', (d) => (state.got += d.toString('latin1')))
  sock.on('error', (e) => (state.error = (e as NodeJS.ErrnoException).code ?? e.message))
  const closed = new Promise<void>((ok) =>
    sock.on('close', () => {
      state.closedAt = Date.now()
      ok()
    }),
  )
  const head = (lines: string[]) => sock.write(`${lines.join('\r\n')}\r\n\r\n`)
  return { sock, state, closed, head }
}

const until = async (cond: () => boolean, ms: number) => {
  const end = Date.now() + ms
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 10))
  return cond()
}

const proxyHead = (extra: string[]) => [
  'POST /proxy/oa/v1/chat/completions HTTP/1.1',
  'host: 127.0.0.1',
  `authorization: Bearer ${ADMIN_KEY}`,
  'content-type: application/json',
  ...extra,
]

describe('413 with a client that keeps writing', () => {
  it('20 of 20 uploads to /proxy read the 413 status line', async () => {
    const started = Date.now()
    const out = await many(20, 4, () => upload('/proxy/oa/v1/chat/completions'))
    const lines = out.map((o) => o.statusLine || `no status (${o.error})`)
    expect(lines).toEqual(Array(20).fill('HTTP/1.1 413 Payload Too Large'))
    expect(up.requests.length).toBe(0)
    console.log(`20 proxy uploads of 128 MiB: ${Date.now() - started} ms`)
  }, 60_000)

  it('20 of 20 uploads to the admin API read the 413 status line', async () => {
    const out = await many(20, 4, () => upload('/api/groups'))
    const lines = out.map((o) => o.statusLine || `no status (${o.error})`)
    expect(lines).toEqual(Array(20).fill('HTTP/1.1 413 Payload Too Large'))
  }, 60_000)

  it('says connection: close, and drops a client that stops sending after the idle bound', async () => {
    // The gateway's side of the connection: our FIN already went out with the answer, so only
    // the server's socket shows when it gives up.
    let serverClosedAt = 0
    const onConnection = (s: Socket) =>
      s.remotePort === c.sock.localPort && s.once('close', () => (serverClosedAt = Date.now()))
    t.gw.server.on('connection', onConnection)
    const c = rawClient()
    try {
      c.head(proxyHead([`content-length: ${SLICES * MIB}`]))
      c.sock.write(Buffer.alloc(MIB, 0x20))
      expect(await until(() => c.state.got.includes('\r\n\r\n'), 5000)).toBe(true)
      const answeredAt = Date.now()
      expect(c.state.got).toMatch(/^HTTP\/1\.1 413 /)
      expect(c.state.got.toLowerCase()).toContain('\r\nconnection: close\r\n')
      // The client neither writes nor closes: the gateway gives up after lingering_timeout (5 s).
      expect(await until(() => serverClosedAt > 0, 15_000)).toBe(true)
      const waited = serverClosedAt - answeredAt
      expect(waited).toBeGreaterThanOrEqual(4500)
      expect(waited).toBeLessThan(15_000)
    } finally {
      t.gw.server.off('connection', onConnection)
      c.sock.destroy()
    }
  }, 30_000)

  it('cuts a client that never stops writing after about 256 MiB', async () => {
    const c = rawClient()
    c.head(proxyHead(['transfer-encoding: chunked']))
    const chunk = Buffer.concat([
      Buffer.from('100000\r\n'),
      Buffer.alloc(MIB, 0x20),
      Buffer.from('\r\n'),
    ])
    let written = 0
    const pump = () => {
      while (!c.sock.destroyed && c.sock.write(chunk)) written += MIB
      if (!c.sock.destroyed) written += MIB
    }
    c.sock.on('drain', pump)
    const started = Date.now()
    pump()
    await c.closed
    expect(c.state.got).toMatch(/^HTTP\/1\.1 413 /)
    expect(written).toBeGreaterThan(256 * MIB)
    expect(written).toBeLessThan(1024 * MIB)
    expect(Date.now() - started).toBeLessThan(25_000)
  }, 40_000)

  it('answers Expect: 100-continue over the limit with 413 before any body is sent', async () => {
    const c = rawClient()
    c.head(proxyHead([`content-length: ${SLICES * MIB}`, 'expect: 100-continue']))
    expect(await until(() => c.state.got.includes('\r\n\r\n'), 5000)).toBe(true)
    expect(c.state.got).toMatch(/^HTTP\/1\.1 413 /)
    c.sock.end()
    await c.closed
  })

  it('still sends 100 Continue to a request within the limit', async () => {
    const body = JSON.stringify({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
    })
    const c = rawClient()
    c.head(proxyHead([`content-length: ${body.length}`, 'expect: 100-continue']))
    expect(await until(() => c.state.got.includes('\r\n\r\n'), 5000)).toBe(true)
    expect(c.state.got).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\n$/)
    c.sock.write(body)
    expect(await until(() => /\r\n\r\nHTTP\/1\.1 200 /.test(c.state.got), 5000)).toBe(true)
    c.sock.end()
    await c.closed
  })
})
