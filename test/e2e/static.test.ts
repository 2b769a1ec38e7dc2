// How the Node adapter serves the built console: SPA fallback, index.html revalidated on every
// load, hashed assets cached for a year and gzipped, missing assets a plain 404, security headers
// on every console answer, and the API untouched (no compression, no console page).
import { readdirSync, readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { API_CSP, CONSOLE_CSP } from '../../src/http/security-headers'
import { startTestGateway, type TestGateway } from '../helpers/gateway'
import { ensureAdminBuilt } from '../helpers/admin-build'

let t: TestGateway
let js: string

beforeAll(async () => {
  ensureAdminBuilt()
  // The entry chunk, not one of the lazily loaded screens.
  js = readdirSync(new URL('../../admin/dist/assets/', import.meta.url)).find(
    (f) => f.startsWith('index-') && f.endsWith('.js'),
  )!
  t = await startTestGateway()
}, 120_000)
afterAll(async () => {
  await t?.stop()
})

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(t.url + path, { headers: { 'accept-encoding': 'gzip', ...headers } })

describe('admin console serving', () => {
  it('serves index.html at / and for console routes, revalidated each time', async () => {
    for (const path of ['/', '/groups/7', '/settings']) {
      const res = await get(path)
      expect(res.status, path).toBe(200)
      expect(res.headers.get('content-type')).toMatch(/^text\/html/)
      expect(res.headers.get('cache-control')).toBe('no-cache')
      expect(await res.text()).toContain('<div id="app">')
    }
  })

  it('serves hashed assets gzipped with a year-long immutable cache', async () => {
    const res = await get(`/assets/${js}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-encoding')).toBe('gzip')
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    expect(res.headers.get('vary')).toMatch(/accept-encoding/i)
    // fetch has already gunzipped the body: it is the real bundle.
    expect(await res.text()).toContain('edgeload.adminKey')
  })

  it('answers a missing asset with 404, not the console page', async () => {
    const res = await get('/assets/missing-123.js')
    expect(res.status).toBe(404)
    expect(res.headers.get('cache-control')).toBeNull()
  })

  it('sends the security headers on every console answer (issue 9)', async () => {
    for (const path of ['/', '/groups/7', `/assets/${js}`, '/assets/missing-123.js']) {
      const res = await get(path)
      expect(res.headers.get('content-security-policy'), path).toBe(CONSOLE_CSP)
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff')
      expect(res.headers.get('x-frame-options'), path).toBe('DENY')
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer')
      await res.arrayBuffer()
    }
    // The API has its own, stricter policy (test/security-headers.test.ts).
    const api = await get('/api/settings')
    expect(api.headers.get('content-security-policy')).toBe(API_CSP)
  })

  it('leaves the API alone', async () => {
    const res = await get('/api/settings')
    expect(res.status).toBe(401)
    expect(res.headers.get('content-encoding')).toBeNull()
    expect(await res.json()).toMatchObject({ code: 'UNAUTHORIZED' })
    const unknown = await get('/api/nothing-here')
    expect(unknown.headers.get('content-type')).toMatch(/^application\/json/)
  })

  it('keeps the initial JS within the 100 KB gzip budget (issue 4)', () => {
    const dist = new URL('../../admin/dist/', import.meta.url)
    const html = readFileSync(new URL('index.html', dist), 'utf8')
    // What the page loads before it can render: its module scripts and their preloads.
    const initial = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]!)
    expect(initial.length).toBeGreaterThan(0)
    const gzip = initial.reduce((n, f) => n + gzipSync(readFileSync(new URL(f, dist))).length, 0)
    console.log(`initial JS: ${(gzip / 1024).toFixed(1)} KB gzip`)
    expect(gzip).toBeLessThanOrEqual(100 * 1024)
  })
})
