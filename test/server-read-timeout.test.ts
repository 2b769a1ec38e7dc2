// SERVER_READ_TIMEOUT bounds the time to receive a whole request, headers and body, to within a
// second: Node checks its timers only every connectionsCheckingInterval (30 s by default), so a
// 60 s limit used to cut at up to 90 s. A cut is logged once, at debug, not as an unhandled error.
// The real gateway as a child process, and raw sockets that send slowly.
import { mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { killAll, startChildGateway, type StartedChild } from './helpers/child'
import { ADMIN_KEY } from './helpers/gateway'
import { within } from './helpers/wait'

const LIMIT_MS = 2000
const dirs: string[] = []
const children: StartedChild[] = []

afterEach(() => killAll(children))

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

/**
 * Opens a socket, sends `head` at once and then one byte of `drip` every 200 ms; resolves with
 * what the server answered and when the socket closed, counted from the connect.
 */
const slowClient = (url: string, head: string, drip: string) =>
  new Promise<{ answer: string; closedMs: number }>((resolve, reject) => {
    const { port } = new URL(url)
    const socket = connect(Number(port), '127.0.0.1')
    let answer = ''
    let start = 0
    let i = 0
    let timer: NodeJS.Timeout | undefined
    socket.on('connect', () => {
      start = Date.now()
      socket.write(head)
      timer = setInterval(() => {
        if (i < drip.length && socket.writable) socket.write(drip[i++])
      }, 200)
    })
    socket.on('data', (d) => (answer += d))
    socket.on('error', () => {}) // a reset after the 408 is part of the cut
    socket.on('close', () => {
      clearInterval(timer)
      resolve({ answer, closedMs: Date.now() - start })
    })
    setTimeout(() => reject(new Error('socket never closed')), 20_000).unref()
  })

const start = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgeload-readtimeout-'))
  dirs.push(dir)
  return startChildGateway(
    dir,
    { AUTH_KEY: ADMIN_KEY, SERVER_READ_TIMEOUT: String(LIMIT_MS / 1000), LOG_LEVEL: 'debug' },
    children,
  )
}

describe('SERVER_READ_TIMEOUT', () => {
  it('cuts a client that sends its headers too slowly within a second of the limit', async () => {
    const gw = await start()
    const r = await within(
      slowClient(gw.url, 'GET /health HTTP/1.1\r\n', 'x-slow: ' + 'a'.repeat(200)),
      15_000,
      'slow headers',
    )
    console.log(`slow headers: closed after ${r.closedMs} ms`)
    expect(r.closedMs).toBeGreaterThanOrEqual(LIMIT_MS - 50)
    expect(r.closedMs).toBeLessThan(LIMIT_MS + 1000)
    expect(r.answer).toMatch(/^HTTP\/1\.1 408/)
  })

  it('cuts a client that sends its body too slowly, 408, one debug line and no error line', async () => {
    const gw = await start()
    const body = JSON.stringify({ auth_key: 'x'.repeat(100) })
    const head =
      'POST /api/auth/login HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n' +
      `content-length: ${body.length}\r\n\r\n`
    const r = await within(slowClient(gw.url, head, body), 15_000, 'slow body')
    console.log(`slow body: closed after ${r.closedMs} ms`)
    expect(r.closedMs).toBeGreaterThanOrEqual(LIMIT_MS - 50)
    expect(r.closedMs).toBeLessThan(LIMIT_MS + 1000)
    expect(r.answer).toMatch(/^HTTP\/1\.1 408/)
    // The handler sees the body read fail; give its log line a moment to be written.
    await new Promise((ok) => setTimeout(ok, 300))
    const out = gw.out.text
    expect(out).not.toMatch(/ERROR/)
    expect(out.match(/DEBUG .*client went away/g)).toHaveLength(1)
  })
})
