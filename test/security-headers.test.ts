// Security headers (issue 9 item 6) on the real Node gateway: every admin API answer (success,
// 401, 404, 400, 413, 429, login) carries them; proxied responses carry exactly the upstream's
// headers, none of ours. The console's own pages are checked in test/e2e/static.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { API_CSP } from '../src/http/security-headers'
import { createTestApp } from './helpers/app'
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream'
import { ADMIN_KEY, startTestGateway, type TestGateway } from './helpers/gateway'

const OURS = [
  'content-security-policy',
  'x-content-type-options',
  'x-frame-options',
  'referrer-policy',
]

let up: FakeUpstream
let t: TestGateway

beforeAll(async () => {
  up = await startFakeUpstream()
  t = await startTestGateway()
  await t.createGroup({ name: 'chat', upstreams: [{ url: up.url, weight: 1 }] }, ['sk-sh-1'])
})
afterAll(async () => {
  await t.stop()
  await up.close()
})

const auth = { authorization: `Bearer ${ADMIN_KEY}` }
const expectOurs = (res: Response, what: string) => {
  expect(res.headers.get('content-security-policy'), what).toBe(API_CSP)
  expect(res.headers.get('x-content-type-options'), what).toBe('nosniff')
  expect(res.headers.get('x-frame-options'), what).toBe('DENY')
  expect(res.headers.get('referrer-policy'), what).toBe('no-referrer')
}

describe('the admin API', () => {
  it('sends the security headers on every answer, errors included', async () => {
    const cases: [string, string, RequestInit, number][] = [
      ['a list', '/api/groups', { headers: auth }, 200],
      ['the CSV export', '/api/logs/export', { headers: auth }, 200],
      ['no key', '/api/groups', {}, 401],
      ['an unknown route', '/api/nothing-here', { headers: auth }, 404],
      [
        'a bad body',
        '/api/groups',
        { method: 'POST', headers: auth, body: '{"name": "Bad Name"}' },
        400,
      ],
      ['login', '/api/auth/login', { method: 'POST', body: `{"auth_key":"${ADMIN_KEY}"}` }, 200],
      ['a public route', '/api/integration/info?key=' + ADMIN_KEY, {}, 200],
    ]
    for (const [what, path, init, status] of cases) {
      const res = await fetch(t.url + path, init)
      expect(res.status, what).toBe(status)
      expectOurs(res, what)
      await res.arrayBuffer()
    }
  })

  it('sends them on a 413 (through the app: the Node socket may close before a big body ends)', async () => {
    const app = await createTestApp({ config: { maxBodyBytes: 1024 } })
    const res = await app.api('POST', '/api/keys/add-multiple', 'x'.repeat(4096))
    expect(res.status).toBe(413)
    expectOurs(res, '413')
    await app.close()
  })

  // Its own gateway: the block it provokes covers this IP, and the proxy tests below share it.
  it('sends them on a 429 from the login limit', async () => {
    const g = await startTestGateway()
    try {
      let res: Response | null = null
      for (let i = 0; i < 20 && res?.status !== 429; i++) {
        res = await fetch(`${g.url}/api/groups`, { headers: { authorization: 'Bearer wrong' } })
        await res.arrayBuffer()
      }
      expect(res!.status).toBe(429)
      expectOurs(res!, '429')
    } finally {
      await g.stop()
    }
  })
})

describe('proxied responses', () => {
  it('pass the upstream headers unchanged and add none of ours', async () => {
    up.setBehaviour({ default: { headers: { 'x-frame-options': 'SAMEORIGIN', 'x-up': '1' } } })
    const res = await t.chat('chat')
    expect(res.status).toBe(200)
    await res.arrayBuffer()
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN')
    expect(res.headers.get('x-up')).toBe('1')
    for (const name of OURS.filter((n) => n !== 'x-frame-options')) {
      expect(res.headers.get(name), name).toBeNull()
    }
    up.setBehaviour({ default: null })
    const plain = await t.chat('chat')
    await plain.arrayBuffer()
    for (const name of OURS) expect(plain.headers.get(name), name).toBeNull()
  })

  it('leave the gateway-made answers on /proxy alone too', async () => {
    const res = await fetch(`${t.url}/proxy/chat/v1/models`, {
      headers: { authorization: 'Bearer not-a-proxy-key' },
    })
    expect(res.status).toBe(401)
    await res.arrayBuffer()
    for (const name of OURS) expect(res.headers.get(name), name).toBeNull()
  })
})
