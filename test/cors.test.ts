// CORS, off by default: an explicit origin list is echoed, others are not, and `*` never goes out
// together with credentials.
import { afterEach, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from './helpers/app'

let t: TestApp | null = null
afterEach(async () => {
  await t?.close()
  t = null
})

const preflight = (app: TestApp['app'], origin: string) =>
  app.request('/api/groups', {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST' },
  })

describe('CORS', () => {
  it('sends no CORS headers when disabled', async () => {
    t = await createTestApp()
    const res = await t.api('GET', '/api/groups', undefined, { origin: 'https://a.example' })
    expect(res.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('allows only the listed origins', async () => {
    const cors = {
      enabled: true,
      origins: ['https://a.example'],
      methods: ['GET', 'POST'],
      headers: ['*'],
      credentials: true,
    }
    t = await createTestApp({ config: { cors } })
    const ok = await preflight(t.app, 'https://a.example')
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://a.example')
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true')
    const other = await preflight(t.app, 'https://evil.example')
    expect(other.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('answers * without credentials for ALLOWED_ORIGINS=*', async () => {
    const cors = {
      enabled: true,
      origins: ['*'],
      methods: ['GET'],
      headers: ['*'],
      credentials: true,
    }
    t = await createTestApp({ config: { cors } })
    const res = await preflight(t.app, 'https://any.example')
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    expect(res.headers.get('access-control-allow-credentials')).toBeNull()
  })
})
