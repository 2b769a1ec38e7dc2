// Outbound proxies: a real HTTP CONNECT proxy on loopback between the gateway and the fake
// upstream. Group `proxy_url`, credentials kept out of errors and logs, settings validation, and
// the HTTP(S)_PROXY/NO_PROXY fallback of the Node fetch. SOCKS5 traffic: outbound-socks.test.ts.
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createUndiciFetch } from '../adapters/node/fetch'
import { redactProxy } from '../adapters/node/proxy'
import { startForwardProxy, type ForwardProxy } from './helpers/http-proxy'
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream'
import { startTestGateway, type TestGateway } from './helpers/gateway'
import { eventually } from './helpers/wait'

/** A loopback port nothing listens on. */
const closedPort = async () => {
  const s = createServer().listen(0, '127.0.0.1')
  await once(s, 'listening')
  const port = (s.address() as AddressInfo).port
  await new Promise((r) => s.close(r))
  return port
}

let up: FakeUpstream
let proxy: ForwardProxy
let t: TestGateway
let n = 0

const chat = (group: string) => t.chat(group)

const group = async (config: Record<string, unknown> = {}) => {
  const name = `px${++n}`
  await t.createGroup({ name, upstreams: [{ url: up.url, weight: 1 }], config }, ['sk-ok-1'])
  return name
}

beforeAll(async () => {
  up = await startFakeUpstream()
  proxy = await startForwardProxy()
  t = await startTestGateway()
  await t.admin('PUT', '/api/settings', { request_log_write_interval_minutes: 0 })
})

afterAll(async () => {
  await t?.stop()
  await proxy?.close()
  await up?.close()
})

beforeEach(() => {
  proxy.seen.length = 0
  up.requests.length = 0
})

describe('group proxy_url through the gateway', () => {
  it('tunnels a chat request through the CONNECT proxy to the upstream', async () => {
    const name = await group({ proxy_url: proxy.url })
    const res = await chat(name)
    expect(res.status).toBe(200)
    expect(up.requests).toHaveLength(1)
    expect(up.requests[0].credential).toBe('sk-ok-1')
    expect(proxy.seen).toEqual([{ target: `127.0.0.1:${up.port}`, auth: undefined }])
  })

  it('does not use the proxy for a group without proxy_url', async () => {
    const name = await group()
    expect((await chat(name)).status).toBe(200)
    expect(up.requests).toHaveLength(1)
    expect(proxy.seen).toHaveLength(0)
  })

  it('sends user:pass as Proxy-Authorization', async () => {
    const name = await group({ proxy_url: `http://alice:s3cr3t-pw@127.0.0.1:${proxy.port}` })
    expect((await chat(name)).status).toBe(200)
    const basic = `Basic ${Buffer.from('alice:s3cr3t-pw').toString('base64')}`
    expect(proxy.seen.map((s) => s.auth)).toEqual([basic])
  })

  it('keeps the proxy password out of the error and the logs when the proxy is down', async () => {
    const port = await closedPort()
    const name = await group({
      proxy_url: `http://alice:s3cr3t-pw@127.0.0.1:${port}`,
      max_retries: 1,
    })
    const res = await chat(name)
    const body = await res.text()
    expect(res.status).toBe(502)
    expect(body).toMatch(/ECONNREFUSED|failed/)
    expect(body).not.toContain('s3cr3t-pw')
    expect(up.requests).toHaveLength(0)
    const logs = await eventually(async () => {
      const r = await t.admin<{ data: { items: unknown[] } }>('GET', `/api/logs?group_name=${name}`)
      expect(r.body.data.items.length).toBeGreaterThanOrEqual(2)
      return JSON.stringify(r.body)
    })
    expect(logs).not.toContain('s3cr3t-pw')
  })
})

describe('proxy_url validation', () => {
  it.each(['ftp://proxy.example:21', 'not a url', 'socks4://127.0.0.1:1080', 'socks5:nohost'])(
    'rejects %s in a group config with 400 VALIDATION_FAILED',
    async (value) => {
      const r = await t.admin<{ code: string; message: string }>('POST', '/api/groups', {
        name: `bad${++n}`,
        channel_type: 'openai',
        test_model: 'gpt-4o-mini',
        upstreams: [{ url: up.url, weight: 1 }],
        config: { proxy_url: value },
      })
      expect(r.status).toBe(400)
      expect(r.body.code).toBe('VALIDATION_FAILED')
      expect(r.body.message).toContain('proxy_url')
    },
  )

  it('names what is supported when refusing SOCKS4 and socks:// in the system settings', async () => {
    for (const v of ['socks4://127.0.0.1:1080', 'socks://127.0.0.1:1080']) {
      const r = await t.admin<{ code: string; message: string }>('PUT', '/api/settings', {
        proxy_url: v,
      })
      expect(r.status).toBe(400)
      expect(r.body.message).toMatch(/proxy_url.*not supported.*socks5:\/\/ or socks5h:\/\//)
    }
  })

  it('accepts empty, http://, https:// and socks5(h):// with credentials', async () => {
    const values = [
      '',
      'http://127.0.0.1:3128',
      'https://u:p@proxy.example:8443',
      'socks5://127.0.0.1:1080',
      'socks5://u:p@proxy.example:1080',
      'socks5h://proxy.example:1080',
    ]
    for (const v of values) {
      const r = await t.admin('PUT', '/api/settings', { proxy_url: v })
      expect(r.status).toBe(200)
    }
    await t.admin('PUT', '/api/settings', { proxy_url: '' })
  })
})

describe('createUndiciFetch proxy selection', () => {
  const call = async (
    env: Record<string, string>,
    proxyUrl?: string,
  ): Promise<{ status: number } | Error> => {
    const f = createUndiciFetch({ env })
    try {
      const r = await f(new URL(`${up.url}/v1/models`), {
        method: 'GET',
        headers: { authorization: 'Bearer sk-ok-1' },
        body: null,
        proxy: proxyUrl,
        timeouts: { connect: 2000, headers: 2000, total: 2000 },
      })
      return { status: r.status }
    } catch (err) {
      return err as Error
    } finally {
      await f.close()
    }
  }

  it('uses HTTP_PROXY from the injected env', async () => {
    expect(await call({ HTTP_PROXY: proxy.url })).toEqual({ status: 200 })
    expect(proxy.seen).toHaveLength(1)
  })

  it('reads the lower-case http_proxy too', async () => {
    expect(await call({ http_proxy: proxy.url })).toEqual({ status: 200 })
    expect(proxy.seen).toHaveLength(1)
  })

  it('bypasses the env proxy for NO_PROXY hosts', async () => {
    expect(await call({ HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' })).toEqual({ status: 200 })
    expect(proxy.seen).toHaveLength(0)
  })

  it('goes direct with no proxy variables, and an explicit proxy wins over the env', async () => {
    expect(await call({})).toEqual({ status: 200 })
    expect(proxy.seen).toHaveLength(0)
    const port = await closedPort()
    expect(await call({ HTTP_PROXY: `http://127.0.0.1:${port}` }, proxy.url)).toEqual({
      status: 200,
    })
    expect(proxy.seen).toHaveLength(1)
  })

  it('redacts the proxy credentials from a connection error', async () => {
    const port = await closedPort()
    const err = await call({}, `http://bob:hunter2-pw@127.0.0.1:${port}`)
    expect(err).toBeInstanceOf(Error)
    expect((err as Error).message).not.toContain('hunter2-pw')
    expect((err as Error).message).not.toContain('bob:')
  })
})

describe('redactProxy', () => {
  it('strips user:pass@ and the bare password from a text', () => {
    const text = 'tunnel via http://bob:hunter2-pw@10.0.0.1:3128 failed (hunter2-pw)'
    const out = redactProxy(text, 'http://bob:hunter2-pw@10.0.0.1:3128')
    expect(out).toBe('tunnel via http://10.0.0.1:3128 failed ([redacted])')
  })
})
