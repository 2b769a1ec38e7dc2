// Graceful shutdown under load: in-flight requests and streams finish, new connections are
// refused, and every buffered request-log row reaches the database. Also SIGTERM to a real
// `node adapters/node/start.mjs` child process.
import { mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openSqlite } from '../adapters/node/db'
import {
  createGroupOn,
  listeningUrl,
  sigtermDrainsStream,
  startChild,
  type StartedChild,
} from './helpers/child'
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream'
import { ADMIN_KEY, startTestGateway, type TestGateway } from './helpers/gateway'
import { until, within } from './helpers/wait'

/** Resolves with the error code of a fresh TCP connection attempt, or 'connected'. */
const tryConnect = (port: number) =>
  new Promise<string>((resolve) => {
    const s = connect(port, '127.0.0.1')
    s.once('connect', () => (s.destroy(), resolve('connected')))
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? String(err)))
  })

const chatBody = (stream: boolean) =>
  JSON.stringify({ model: 'gpt-4o-mini', stream, messages: [{ role: 'user', content: 'hi' }] })

let up: FakeUpstream

beforeAll(async () => {
  up = await startFakeUpstream({
    behaviours: {
      // ~1.2 s streams, plain answers after 600 ms, and instant ones.
      'sk-stream': { events: 8, eventDelayMs: 150 },
      'sk-delay': { delayMs: 600 },
    },
  })
})

afterAll(async () => {
  await up?.close()
})

describe('graceful shutdown in process', () => {
  let t: TestGateway

  afterAll(async () => {
    await t?.stop()
  })

  it('drains 50 in-flight requests and streams, refuses new connections, loses no log row', async () => {
    t = await startTestGateway()
    // Rows of requests that end while draining wait in the writer's buffer (written every 2 s):
    // the shutdown flush stores them.
    expect(
      (await t.admin('PUT', '/api/settings', { request_log_write_interval_minutes: 1 })).status,
    ).toBe(200)
    const upstreams = [{ url: up.url, weight: 1 }]
    await t.createGroup({ name: 'stream', upstreams }, ['sk-stream'])
    await t.createGroup({ name: 'delay', upstreams }, ['sk-delay'])
    await t.createGroup({ name: 'fast', upstreams }, ['sk-fast'])

    const N = 50
    let finished = 0
    const one = async (i: number) => {
      const stream = i % 2 === 0
      const group = stream ? 'stream' : i % 4 === 1 ? 'fast' : 'delay'
      const res = await fetch(`${t.url}/proxy/${group}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: chatBody(stream),
      })
      const text = await res.text()
      finished++
      return { stream, status: res.status, text }
    }
    const all = Promise.allSettled(Array.from({ length: N }, (_, i) => one(i)))

    // Every request has reached the upstream (so the gateway is handling it) and the fast ones
    // have already answered; the streams and delayed ones are still in flight.
    await until(() => up.requests.length >= N, 5000, 'all requests reach the upstream')
    await until(() => finished > 0, 5000, 'first responses')
    const before = finished
    expect(before).toBeLessThan(N)

    const started = Date.now()
    const done = t.gw.shutdown()
    expect(await tryConnect(t.gw.port)).toBe('ECONNREFUSED')

    const results = await within(all, 8000, 'in-flight requests')
    await within(done, 10_000, 'shutdown')
    const took = Date.now() - started
    console.log(
      `shutdown: ${N - before} requests in flight at shutdown, drained and closed in ${took} ms`,
    )

    const failed = results.filter((r) => r.status === 'rejected')
    expect(failed.map((r) => String((r as PromiseRejectedResult).reason))).toEqual([])
    for (const r of results) {
      const v = (r as PromiseFulfilledResult<Awaited<ReturnType<typeof one>>>).value
      expect(v.status).toBe(200)
      if (v.stream) {
        expect(v.text).toContain('tok7 ')
        expect(v.text.trimEnd().endsWith('data: [DONE]')).toBe(true)
      } else {
        expect(JSON.parse(v.text).choices[0].message.content).toBe('tok0 tok1 tok2 tok3 tok4 ')
      }
    }
    expect(await tryConnect(t.gw.port)).toBe('ECONNREFUSED')

    // The gateway is closed; read its database file directly.
    const db = await openSqlite(join(t.dir, 'edgeload.db'))
    try {
      const page = { page: 1, page_size: 1 }
      const final = await db.store.queryLogs({ ...page, request_type: 'final' })
      const all = await db.store.queryLogs(page)
      const ok = await db.store.queryLogs({ ...page, request_type: 'final', is_success: true })
      expect(final.total).toBe(N)
      expect(ok.total).toBe(N)
      expect(all.total).toBe(N)
    } finally {
      await db.close()
    }
  })
})

describe('SIGTERM to node adapters/node/start.mjs', () => {
  let child: StartedChild | null = null
  let dir = ''

  afterAll(() => {
    const proc = child?.proc
    if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL')
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('finishes the in-flight stream and exits 0 within the shutdown budget', async () => {
    dir = mkdtempSync(join(tmpdir(), 'edgeload-sigterm-'))
    child = startChild(dir, {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      AUTH_KEY: ADMIN_KEY,
      DATABASE_DSN: join(dir, 'edgeload.db'),
      LOG_LEVEL: 'info',
    })
    // PORT=0: the listening line names the port the kernel chose.
    const url = await listeningUrl(child, 20_000)
    const health = await within(fetch(`${url}/health`), 5000, 'health')
    expect(health.status).toBe(200)
    await createGroupOn(url, up.url, ADMIN_KEY, { name: 'sig', keys: ['sk-stream'] })
    await sigtermDrainsStream(child, url, ADMIN_KEY, 'sig')
  })
})
