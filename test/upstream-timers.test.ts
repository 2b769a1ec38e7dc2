// Upstream timers held to within 10%: connect_timeout, response_header_timeout and request_timeout
// of 2 s cut at 2.0–2.2 s. undici checks its own connect and headers timeouts on coarse ticks, so
// 2 s used to cut at about 2.5 s. The real app over the Node adapter's undici fetch; an upstream
// that accepts and never answers, and one whose connect never completes: a listener in a stopped
// process, its accept queue filled, so the kernel drops further handshakes.
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import { connect, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createUndiciFetch, type UndiciFetch } from '../adapters/node/fetch'
import { createTestApp, type TestApp } from './helpers/app'
import { within } from './helpers/wait'

let silent: Server
let silentUrl: string
let stuck: ChildProcess
let stuckUrl: string
const fillers: Socket[] = []
let upstream: UndiciFetch
let t: TestApp

/** Opens a socket; true when it connected within `ms`. */
const tryConnect = (port: number, ms: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1')
    fillers.push(s)
    s.on('error', () => resolve(false))
    s.on('connect', () => resolve(true))
    setTimeout(() => resolve(false), ms)
  })

beforeAll(async () => {
  silent = createServer(() => {}) // reads the request, never answers
  await new Promise<void>((ok) => silent.listen(0, '127.0.0.1', ok))
  silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`

  stuck = spawn(
    process.execPath,
    [
      '-e',
      "const s=require('net').createServer();s.listen({port:0,host:'127.0.0.1',backlog:1},()=>console.log(s.address().port))",
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const port = await within(
    new Promise<number>((ok) => stuck.stdout!.once('data', (d) => ok(Number(String(d))))),
    10_000,
    'stuck listener',
  )
  stuck.kill('SIGSTOP')
  // Fill the accept queue until a handshake is no longer answered.
  let filled = false
  for (let i = 0; i < 64 && !filled; i++) filled = !(await tryConnect(port, 300))
  expect(filled).toBe(true)
  stuckUrl = `http://127.0.0.1:${port}`

  upstream = createUndiciFetch()
  t = await createTestApp({ fetch: upstream })
}, 60_000)

afterAll(async () => {
  await t?.close()
  await upstream?.close()
  for (const s of fillers) s.destroy()
  stuck?.kill('SIGKILL')
  await new Promise((ok) => silent?.close(ok))
})

let n = 0
/** Time until the gateway gives up on a group with these upstream and settings. */
const timeToGiveUp = async (url: string, config: Record<string, number>) => {
  const name = `g${n++}`
  const g = await t.api('POST', '/api/groups', {
    name,
    channel_type: 'openai',
    upstreams: [{ url, weight: 1 }],
    config: { max_retries: 0, ...config },
  })
  expect(g.status).toBe(200)
  const id = ((await g.json()) as { data: { id: number } }).data.id
  expect(
    (await t.api('POST', '/api/keys/add-multiple', { group_id: id, keys_text: 'sk-a' })).status,
  ).toBe(200)
  const started = performance.now()
  const res = await t.app.request(`/proxy/${name}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${t.authKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o', messages: [] }),
  })
  const ms = Math.round(performance.now() - started)
  await res.arrayBuffer()
  expect(res.status).toBe(504)
  return ms
}

describe('upstream timers of 2 s', () => {
  it.each([
    ['response_header_timeout', 'silent', { response_header_timeout: 2 }],
    ['connect_timeout', 'stuck', { connect_timeout: 2 }],
    ['request_timeout, waiting for headers', 'silent', { request_timeout: 2 }],
    ['request_timeout, connecting', 'stuck', { request_timeout: 2 }],
  ] as const)('%s cuts within 10%%', async (what, which, config) => {
    const ms = await timeToGiveUp(which === 'silent' ? silentUrl : stuckUrl, config)
    console.log(`${what}: 504 after ${ms} ms`)
    expect(ms).toBeGreaterThanOrEqual(1990)
    expect(ms).toBeLessThan(2200)
  })
})
