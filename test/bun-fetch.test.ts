// Upstream calls through the Bun binary's fetch (issue 14): connect and header timeouts held to
// within 10%, HTTP proxies from proxy_url and from HTTP_PROXY / NO_PROXY, SOCKS5 refused with a
// message, and a client that leaves mid-stream stopping the upstream call. The binary runs from
// an empty folder with PATH emptied, as in test/bun-binary.test.ts.
import { rmSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  buildBinary,
  chatBody,
  emptyFolderWithBinary,
  SLOW_MODEL,
  SMOKE_BEHAVIOURS,
  startBinaryGateway,
} from './helpers/bun-binary'
import { createGroupOn, type StartedChild } from './helpers/child'
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream'
import { startForwardProxy, type ForwardProxy } from './helpers/http-proxy'
import { startSilent, startStuck, type Unresponsive } from './helpers/unresponsive'
import { until, within } from './helpers/wait'

let up: FakeUpstream
const dirs: string[] = []
const children: StartedChild[] = []

const folder = () => {
  const f = emptyFolderWithBinary()
  dirs.push(f.dir)
  return f
}

beforeAll(async () => {
  buildBinary()
  up = await startFakeUpstream({ behaviours: SMOKE_BEHAVIOURS })
}, 300_000)

afterAll(async () => {
  for (const c of children)
    if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL')
  await up?.close()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

describe("upstream calls through Bun's fetch", () => {
  const adminKey = 'bun-binary-admin-key-0123456789'
  const headers = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }
  let proxy: ForwardProxy
  let silent: Unresponsive
  let stuck: Unresponsive
  let url = ''
  let n = 0

  const group = async (base: string, upstream: string, config: Record<string, unknown>) => {
    const name = `up${++n}`
    await createGroupOn(base, upstream, adminKey, {
      name,
      keys: ['sk-up'],
      config: { max_retries: 0, ...config },
    })
    return name
  }
  const chat = async (base: string, name: string) => {
    const started = performance.now()
    const res = await fetch(`${base}/proxy/${name}/v1/chat/completions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    })
    const text = await res.text()
    return { status: res.status, text, ms: performance.now() - started }
  }

  beforeAll(async () => {
    proxy = await startForwardProxy()
    silent = await startSilent()
    stuck = await startStuck()
    const child = await startBinaryGateway(folder().dir, { AUTH_KEY: adminKey })
    children.push(child)
    url = child.url
  }, 60_000)

  afterAll(async () => {
    await proxy?.close()
    await silent?.close()
    await stuck?.close()
  })

  it.each([
    ['connect_timeout', 'stuck', { connect_timeout: 2 }],
    ['response_header_timeout', 'silent', { response_header_timeout: 2 }],
    ['request_timeout, waiting for headers', 'silent', { request_timeout: 2 }],
    ['request_timeout, connecting', 'stuck', { request_timeout: 2 }],
  ] as const)('%s of 2 s cuts within 10%%', async (_what, which, config) => {
    const name = await group(url, which === 'silent' ? silent.url : stuck.url, config)
    const r = await chat(url, name)
    expect(r.status).toBe(504)
    expect(r.ms).toBeGreaterThanOrEqual(1990)
    expect(r.ms).toBeLessThan(2200)
  })

  it('sends a group with proxy_url through the HTTP proxy, with its credentials', async () => {
    proxy.seen.length = 0
    const name = await group(url, up.url, {
      proxy_url: `http://alice:s3cr3t-pw@127.0.0.1:${proxy.port}`,
    })
    const r = await chat(url, name)
    expect(r.status).toBe(200)
    expect(JSON.parse(r.text).choices[0].message.content).toBe('tok0 tok1 tok2 tok3 tok4 ')
    const basic = `Basic ${Buffer.from('alice:s3cr3t-pw').toString('base64')}`
    expect(proxy.seen).toEqual([{ target: `127.0.0.1:${up.port}`, auth: basic }])
  })

  it('refuses a socks5 proxy_url, saying so, rather than going out directly', async () => {
    const before = up.requests.length
    const name = await group(url, up.url, { proxy_url: 'socks5://bob:pw-9876@127.0.0.1:1080' })
    const r = await chat(url, name)
    expect(r.status).toBe(502)
    expect(r.text).toContain('SOCKS5 proxies are not supported by the Bun binary')
    expect(r.text).not.toContain('pw-9876')
    expect(up.requests.length).toBe(before)
  })

  it('stops the upstream stream when the client leaves mid-stream', async () => {
    await createGroupOn(url, up.url, adminKey, { name: 'leave', keys: ['sk-smoke'] })
    const ac = new AbortController()
    const res = await fetch(`${url}/proxy/leave/v1/chat/completions`, {
      method: 'POST',
      headers,
      body: chatBody(true, SLOW_MODEL),
      signal: ac.signal,
    })
    expect(res.status).toBe(200)
    const reader = res.body!.getReader()
    await within(reader.read(), 5000, 'first chunk')
    const call = up.requests.at(-1)!
    expect(call.credential).toBe('sk-smoke')
    ac.abort()
    await until(() => call.closedEarly === true, 3000, 'the upstream call cancelled')
  })

  it('uses HTTP_PROXY from the environment, and NO_PROXY', async () => {
    const child = await startBinaryGateway(folder().dir, {
      AUTH_KEY: adminKey,
      HTTP_PROXY: proxy.url,
      NO_PROXY: 'localhost',
    })
    children.push(child)
    proxy.seen.length = 0
    const via = await group(child.url, up.url, {})
    expect((await chat(child.url, via)).status).toBe(200)
    expect(proxy.seen.map((s) => s.target)).toEqual([`127.0.0.1:${up.port}`])
    const direct = await group(child.url, `http://localhost:${up.port}`, {})
    expect((await chat(child.url, direct)).status).toBe(200)
    expect(proxy.seen).toHaveLength(1)
    child.proc.kill('SIGTERM')
    expect(await within(child.exit, 10_000, 'exit')).toEqual({ code: 0, signal: null })
  }, 30_000)
})
