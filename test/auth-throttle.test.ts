// Failed admin authentications per client IP (issue 9 item 5): the memory AuthThrottle (free
// tries, growing blocks, expiry, bounded memory), then the app's admin routes, login and
// integration info through app.request() with an IP per request, then the real Node gateway
// with clients bound to two loopback addresses.
import { request } from 'node:http'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { AUTH_THROTTLE_DEFAULTS, createMemoryAuthThrottle } from '../src/auth/throttle'
import { createTestApp, type TestApp } from './helpers/app'
import { ADMIN_KEY, startTestGateway, type TestGateway } from './helpers/gateway'

const FREE = AUTH_THROTTLE_DEFAULTS.freeFailures

interface RequestOpts {
  headers?: Record<string, string>
  body?: string
}

describe('the memory AuthThrottle', () => {
  let clock = 0
  const now = () => clock

  it('allows the free tries, then blocks for a doubling time up to the cap', async () => {
    clock = 1_000_000
    const th = createMemoryAuthThrottle(now, { freeFailures: 3, baseMs: 1000, maxMs: 5000 })
    for (let i = 1; i <= 3; i++)
      expect(await th.fail('a')).toEqual({ failures: i, retryAfterMs: 0 })
    expect(await th.retryAfter('a')).toBe(0)
    const waits: number[] = []
    for (let i = 0; i < 5; i++) {
      waits.push((await th.fail('a')).retryAfterMs)
      expect(await th.retryAfter('a')).toBe(waits.at(-1))
      clock += waits.at(-1)!
      expect(await th.retryAfter('a')).toBe(0)
    }
    expect(waits).toEqual([1000, 2000, 4000, 5000, 5000])
    expect(await th.retryAfter('b')).toBe(0)
  })

  it('forgets a client after forgetMs, and on a success', async () => {
    clock = 0
    const th = createMemoryAuthThrottle(now, { freeFailures: 1, forgetMs: 60_000 })
    await th.fail('a')
    expect((await th.fail('a')).retryAfterMs).toBe(1000)
    clock += 1000 + 60_000
    expect(await th.fail('a')).toEqual({ failures: 1, retryAfterMs: 0 })
    await th.succeed('a')
    expect(await th.fail('a')).toEqual({ failures: 1, retryAfterMs: 0 })
  })

  it('keeps at most maxClients, forgetting the longest idle first', async () => {
    clock = 0
    const th = createMemoryAuthThrottle(now, { freeFailures: 0, maxClients: 100 })
    await th.fail('first')
    await th.fail('kept')
    for (let i = 0; i < 98; i++) await th.fail(`10.0.0.${i}`)
    expect(await th.retryAfter('first')).toBe(1000)
    // Touching `first` again moves it to the recent end.
    clock += 1000
    await th.fail('first')
    await th.fail('newcomer')
    expect(await th.retryAfter('kept')).toBe(0)
    expect(await th.retryAfter('first')).toBeGreaterThan(0)
    // A flood of distinct addresses holds only maxClients entries: the oldest keep falling out.
    for (let i = 0; i < 100_000; i++) await th.fail(`flood-${i}`)
    expect(await th.retryAfter('first')).toBe(0)
    expect(await th.retryAfter('flood-99999')).toBeGreaterThan(0)
    expect(await th.retryAfter('flood-99899')).toBe(0)
  })
})

describe('admin routes through the app', () => {
  let t: TestApp
  let clock: number
  afterEach(async () => {
    await t.close()
  })

  const start = async () => {
    clock = Date.UTC(2026, 0, 1)
    t = await createTestApp({
      now: () => clock,
      clientIp: (c) => c.req.header('x-test-ip') ?? '',
    })
  }
  const get = (ip: string, key: string, path = '/api/groups') =>
    t.app.request(path, { headers: { authorization: `Bearer ${key}`, 'x-test-ip': ip } })
  const login = (ip: string, key: string) =>
    t.app.request('/api/auth/login', {
      method: 'POST',
      headers: { 'x-test-ip': ip },
      body: JSON.stringify({ auth_key: key }),
    })
  const warnings = () => t.logs.filter((l) => l.level === 'warn')

  it('answers 429 with Retry-After past the free tries, and warns naming the IP', async () => {
    await start()
    for (let i = 0; i < FREE; i++) expect((await get('10.1.1.1', `wrong-${i}`)).status).toBe(401)
    expect(warnings()).toEqual([])
    const blocked = await get('10.1.1.1', 'wrong-again', '/api/settings')
    expect(blocked.status).toBe(429)
    expect(blocked.headers.get('retry-after')).toBe('1')
    expect(await blocked.json()).toEqual({
      code: 'TOO_MANY_REQUESTS',
      message: 'Too many failed authentications from this address; retry in 1 s',
    })
    expect(warnings()).toEqual([
      {
        level: 'warn',
        msg: 'too many failed authentications; client blocked',
        extra: { ip: '10.1.1.1', failures: FREE + 1, retry_after_s: 1, path: '/api/settings' },
      },
    ])

    // The right key from another IP works at once.
    expect((await get('10.2.2.2', ADMIN_KEY)).status).toBe(200)
    expect((await login('10.2.2.2', ADMIN_KEY)).status).toBe(200)
    // From the blocked IP it is refused too, until the block ends: an answer that told a right
    // key from a wrong one would let the attacker go on guessing at full speed.
    const right = await get('10.1.1.1', ADMIN_KEY)
    expect(right.status).toBe(429)
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0)

    // The block expires; a success clears the count.
    clock += 1000
    expect((await get('10.1.1.1', ADMIN_KEY)).status).toBe(200)
    for (let i = 0; i < FREE; i++) expect((await get('10.1.1.1', `wrong-${i}`)).status).toBe(401)
  })

  it('grows the block with each further failure', async () => {
    await start()
    for (let i = 0; i < FREE; i++) await get('10.1.1.1', 'wrong')
    const waits: string[] = []
    for (let i = 0; i < 4; i++) {
      const res = await get('10.1.1.1', 'wrong')
      expect(res.status).toBe(429)
      waits.push(res.headers.get('retry-after')!)
      clock += Number(waits.at(-1)) * 1000
    }
    expect(waits).toEqual(['1', '2', '4', '8'])
    expect(warnings().map((w) => w.extra?.ip)).toEqual(Array(4).fill('10.1.1.1'))
  })

  it('forgets an IP a while after its last failure', async () => {
    await start()
    for (let i = 0; i <= FREE; i++) await get('10.1.1.1', 'wrong')
    clock += AUTH_THROTTLE_DEFAULTS.forgetMs + 1000
    for (let i = 0; i < FREE; i++) expect((await get('10.1.1.1', 'wrong')).status).toBe(401)
  })

  it('counts login failures alike, answering in its own shape', async () => {
    await start()
    for (let i = 0; i < FREE; i++) expect((await login('10.3.3.3', 'wrong')).status).toBe(401)
    const res = await login('10.3.3.3', 'wrong')
    expect(res.status).toBe(429)
    expect(res.headers.get('retry-after')).toBe('1')
    expect(await res.json()).toEqual({
      success: false,
      message: 'Too many failed authentications from this address; retry in 1 s',
    })
    // One count for login and the API: the API is blocked for this IP as well.
    expect((await get('10.3.3.3', ADMIN_KEY)).status).toBe(429)
    expect(warnings()[0]?.extra?.ip).toBe('10.3.3.3')
  })

  it('lets no more than the free tries through when guesses arrive at once', async () => {
    await start()
    const all = await Promise.all(
      Array.from({ length: 200 }, (_, i) => login('10.7.7.7', `guess-${i}`)),
    )
    const statuses = all.map((r) => r.status)
    expect(statuses.filter((s) => s === 401)).toHaveLength(FREE)
    expect(statuses.filter((s) => s === 429)).toHaveLength(200 - FREE)
  })

  it('counts keys that reach no group on integration info', async () => {
    await start()
    const info = (ip: string, key: string) =>
      t.app.request(`/api/integration/info?key=${key}`, { headers: { 'x-test-ip': ip } })
    await t.api('POST', '/api/groups', {
      name: 'main',
      channel_type: 'openai',
      upstreams: [{ url: 'http://127.0.0.1:9', weight: 1 }],
    })
    for (let i = 0; i < FREE; i++) expect((await info('10.4.4.4', 'wrong')).status).toBe(400)
    expect((await info('10.4.4.4', 'wrong')).status).toBe(429)
    expect((await info('10.5.5.5', ADMIN_KEY)).status).toBe(200)
  })

  it('counts wrong proxy keys too, answering 429 in the channel shape; a proxy success clears nothing', async () => {
    await start()
    await t.api('POST', '/api/groups', {
      name: 'main',
      channel_type: 'openai',
      upstreams: [{ url: 'http://127.0.0.1:9', weight: 1 }],
      proxy_keys: 'sk-group-key',
    })
    const proxy = (ip: string, key: string) =>
      t.app.request('/proxy/main/v1/models', {
        headers: { authorization: `Bearer ${key}`, 'x-test-ip': ip },
      })
    for (let i = 0; i < FREE - 1; i++) {
      expect((await proxy('10.7.7.7', `guess-${i}`)).status).toBe(401)
      // A holder of a group key cannot reset its count between guesses.
      expect((await proxy('10.7.7.7', 'sk-group-key')).status).not.toBe(401)
    }
    // Guesses on the proxy and on the admin API share one count.
    expect((await get('10.7.7.7', 'guess-admin')).status).toBe(401)
    const blocked = await proxy('10.7.7.7', 'guess-last')
    expect(blocked.status).toBe(429)
    expect(blocked.headers.get('retry-after')).toBe('1')
    expect(await blocked.json()).toMatchObject({
      error: {
        code: 'TOO_MANY_REQUESTS',
        message: expect.stringContaining('failed authentications'),
      },
    })
    // The right key from the blocked IP is refused too, on the proxy and its integration info.
    expect((await proxy('10.7.7.7', ADMIN_KEY)).status).toBe(429)
    const info = await t.app.request(`/proxy/main/api/integration/info?key=${ADMIN_KEY}`, {
      headers: { 'x-test-ip': '10.7.7.7' },
    })
    expect(info.status).toBe(429)
    expect((await proxy('10.8.8.8', 'sk-group-key')).status).not.toBe(401)
    expect(warnings().map((w) => w.extra?.path)).toEqual(['/proxy/main/v1/models'])
  })

  it('does not count a request that carries no key', async () => {
    await start()
    for (let i = 0; i < FREE * 3; i++) {
      const res = await t.app.request('/api/groups', { headers: { 'x-test-ip': '10.6.6.6' } })
      expect(res.status).toBe(401)
    }
    expect((await get('10.6.6.6', ADMIN_KEY)).status).toBe(200)
  })
})

describe('the real gateway, clients on 127.0.0.2 and 127.0.0.1', () => {
  let gw: TestGateway
  beforeAll(async () => {
    gw = await startTestGateway()
  })
  afterAll(async () => {
    await gw.stop()
  })

  /** One request from a chosen loopback address (Linux routes all of 127/8 to lo). */
  const from = (localAddress: string, method: string, path: string, opts: RequestOpts = {}) =>
    new Promise<{ status: number; retryAfter: string | undefined }>((resolve, reject) => {
      const req = request(
        `${gw.url}${path}`,
        { method, localAddress, headers: opts.headers, agent: false },
        (res) => {
          res.resume()
          res.on('end', () =>
            resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'] }),
          )
        },
      )
      req.on('error', reject)
      req.end(opts.body)
    })

  it('blocks the guessing address only', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 50; i++) {
      const res = await from('127.0.0.2', 'POST', '/api/auth/login', {
        body: JSON.stringify({ auth_key: `guess-${i}` }),
      })
      statuses.push(res.status)
      if (res.status === 429) expect(Number(res.retryAfter)).toBeGreaterThan(0)
    }
    expect(statuses.filter((s) => s === 401)).toHaveLength(FREE)
    expect(statuses.filter((s) => s === 429)).toHaveLength(50 - FREE)

    const operator = await from('127.0.0.1', 'GET', '/api/groups', {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    })
    expect(operator.status).toBe(200)
    const attacker = await from('127.0.0.2', 'GET', '/api/groups', {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    })
    expect(attacker.status).toBe(429)
  })
})
