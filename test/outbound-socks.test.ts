// SOCKS5 outbound proxies: a real SOCKS5 server on loopback between the gateway and the fake
// upstream. Group and system `proxy_url`, username/password auth, credentials kept out of
// errors and logs, and no 3xx followed through the tunnel.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createUndiciFetch } from '../adapters/node/fetch'
import { redactProxy } from '../adapters/node/proxy'
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream'
import { ADMIN_KEY, startTestGateway, type TestGateway } from './helpers/gateway'
import { startSocksServer, type SocksServer } from './helpers/socks-server'
import { eventually } from './helpers/wait'

const USER = 'alice'
const PASS = 's0cks-pw-9'

let up: FakeUpstream
let t: TestGateway
let n = 0
const servers: SocksServer[] = []

// A fresh SOCKS server per test: the gateway caches one agent per proxy URL and keeps its
// tunnels alive, so a reused URL could answer without a new CONNECT to record.
const socks = async (auth = false) => {
  const s = await startSocksServer(auth ? { auth: { user: USER, pass: PASS } } : {})
  servers.push(s)
  return s
}

const withAuth = (s: SocksServer, user: string, pass: string) =>
  `socks5://${user}:${pass}@127.0.0.1:${s.port}`

const group = async (config: Record<string, unknown> = {}, upstream = up.url) => {
  const name = `sx${++n}`
  await t.createGroup({ name, upstreams: [{ url: upstream, weight: 1 }], config }, ['sk-ok-1'])
  return name
}

beforeAll(async () => {
  up = await startFakeUpstream()
  t = await startTestGateway()
  await t.admin('PUT', '/api/settings', { request_log_write_interval_minutes: 0 })
})

afterAll(async () => {
  await t?.stop()
  await Promise.all(servers.map((s) => s.close()))
  await up?.close()
})

beforeEach(() => {
  up.requests.length = 0
  up.setBehaviour({ default: null })
})

describe('group proxy_url socks5://', () => {
  it('tunnels a chat request through the SOCKS server to the upstream', async () => {
    const s = await socks()
    const res = await t.chat(await group({ proxy_url: s.url }))
    expect(res.status).toBe(200)
    expect(((await res.json()) as { object: string }).object).toBe('chat.completion')
    expect(up.requests).toHaveLength(1)
    expect(up.requests[0].credential).toBe('sk-ok-1')
    expect(s.connects).toEqual([{ target: `127.0.0.1:${up.port}`, user: null }])
  })

  it('accepts socks5h:// and hands the host name to the proxy unresolved', async () => {
    const s = await socks()
    const name = await group(
      { proxy_url: `socks5h://127.0.0.1:${s.port}` },
      `http://localhost:${up.port}`,
    )
    expect((await t.chat(name)).status).toBe(200)
    expect(s.connects).toEqual([{ target: `localhost:${up.port}`, user: null }])
  })

  it('authenticates with user:pass from the URL (RFC 1929)', async () => {
    const s = await socks(true)
    expect((await t.chat(await group({ proxy_url: withAuth(s, USER, PASS) }))).status).toBe(200)
    expect(s.logins).toEqual([{ user: USER, pass: PASS, ok: true }])
    expect(s.connects).toEqual([{ target: `127.0.0.1:${up.port}`, user: USER }])
    expect(up.requests).toHaveLength(1)
  })

  it('fails on a wrong password without showing it in the error or the logs', async () => {
    const s = await socks(true)
    const name = await group({ proxy_url: withAuth(s, USER, 'wr0ng-pass-7'), max_retries: 1 })
    const res = await t.chat(name)
    const body = await res.text()
    expect(res.status).toBe(502)
    expect(body).toMatch(/failed/i)
    expect(body).not.toContain('wr0ng-pass-7')
    expect(s.logins.length).toBeGreaterThanOrEqual(1)
    expect(s.logins.every((l) => l.pass === 'wr0ng-pass-7' && !l.ok)).toBe(true)
    expect(s.connects).toHaveLength(0)
    expect(up.requests).toHaveLength(0)
    const logs = await eventually(async () => {
      const r = await t.admin<{ data: { items: unknown[] } }>('GET', `/api/logs?group_name=${name}`)
      expect(r.body.data.items.length).toBeGreaterThanOrEqual(1)
      return JSON.stringify(r.body)
    })
    expect(logs).not.toContain('wr0ng-pass-7')
  })

  it('returns a 3xx to the client as is: nothing is followed through the tunnel', async () => {
    const s = await socks(true)
    const name = await group({ proxy_url: withAuth(s, USER, PASS) })
    const elsewhere = 'http://127.0.0.2:9/steal'
    up.setBehaviour({ default: { status: 302, headers: { location: elsewhere }, body: {} } })
    const res = await fetch(`${t.url}/proxy/${name}/v1/chat/completions`, {
      method: 'POST',
      redirect: 'manual',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [] }),
    })
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toBe(elsewhere)
    expect(up.requests).toHaveLength(1)
    expect(s.connects).toEqual([{ target: `127.0.0.1:${up.port}`, user: USER }])
  })
})

describe('system proxy_url socks5://', () => {
  it('routes a group without its own proxy_url through the SOCKS server', async () => {
    const s = await socks(true)
    const name = await group()
    expect(
      (await t.admin('PUT', '/api/settings', { proxy_url: withAuth(s, USER, PASS) })).status,
    ).toBe(200)
    try {
      expect((await t.chat(name)).status).toBe(200)
      expect(s.connects).toEqual([{ target: `127.0.0.1:${up.port}`, user: USER }])
      expect(up.requests).toHaveLength(1)
    } finally {
      await t.admin('PUT', '/api/settings', { proxy_url: '' })
    }
  })
})

describe('createUndiciFetch with a socks5 proxy', () => {
  it('keeps the credentials out of a failed auth error', async () => {
    const s = await socks(true)
    const f = createUndiciFetch()
    try {
      const err = await f(new URL(`${up.url}/v1/models`), {
        method: 'GET',
        headers: {},
        body: null,
        proxy: withAuth(s, 'bob', 'hunter2-pw'),
        timeouts: { connect: 2000, headers: 2000, total: 2000 },
      }).catch((e: Error) => e)
      expect(err).toBeInstanceOf(Error)
      expect((err as Error).message).toMatch(/failed/i)
      expect((err as Error).message).not.toContain('hunter2-pw')
      expect(s.logins).toEqual([{ user: 'bob', pass: 'hunter2-pw', ok: false }])
    } finally {
      await f.close()
    }
  })

  it('redactProxy strips socks5 credentials', () => {
    const proxy = 'socks5://bob:hunter2-pw@10.0.0.1:1080'
    const out = redactProxy(`via ${proxy}: hunter2-pw`, proxy)
    expect(out).toBe('via socks5://10.0.0.1:1080: [redacted]')
  })
})
