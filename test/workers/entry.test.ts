// The Workers entry (adapters/workers/index.ts) booting in workerd from wrangler.toml's bindings:
// D1 through drizzle, AUTH_KEY from the environment, one app per isolate, and no Upstash bound.
import { exports } from 'cloudflare:workers'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'

const get = (path: string, key?: string) =>
  exports.default.fetch(`https://edgeload.test${path}`, {
    headers: key ? { Authorization: `Bearer ${key}` } : {},
  })

describe('Workers entry', () => {
  it('serves /health', async () => {
    const res = await get('/health')
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ status: 'healthy' })
  })

  it('guards the admin API with AUTH_KEY and reads groups from D1', async () => {
    expect((await get('/api/groups')).status).toBe(401)
    const res = await get('/api/groups', env.AUTH_KEY)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ code: 0, message: 'Success', data: [] })
  })

  it('warns on the dashboard that, without Upstash bound, the key pool is per isolate', async () => {
    const res = await get('/api/dashboard/stats', env.AUTH_KEY)
    expect(res.status).toBe(200)
    const { data } = (await res.json()) as { data: { security_warnings: Array<{ type: string }> } }
    expect(data.security_warnings.map((w) => w.type)).toContain('POOL_PER_ISOLATE')
  })

  it('answers 404 for an unknown proxy group', async () => {
    expect((await get('/proxy/nope/v1/models', env.AUTH_KEY)).status).toBe(404)
  })
})
