// Integration info (reference §2.2): the public /api/integration/info and the per-group
// /proxy/{group}/api/integration/info, which must answer before the proxy's catch-all.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from './helpers/app'
import { groupInput } from './store.fixtures'

const GLOBAL = 'sk-global-Zq81xVb3Lm9Rt5Kw'
let t: TestApp
let upstreamCalls = 0

beforeEach(async () => {
  upstreamCalls = 0
  t = await createTestApp({
    seedSettings: { proxy_keys: GLOBAL },
    fetch: async () => {
      upstreamCalls++
      return { status: 200, headers: {}, body: null }
    },
  })
  const s = t.deps.store
  await s.createGroup(
    groupInput('chat', { display_name: 'Chat', sort: 2, proxy_keys: 'pk-a,pk-b' }),
  )
  await s.createGroup(
    groupInput('custom', { display_name: 'Custom', sort: 1, validation_endpoint: '/v1/other' }),
  )
  await s.createGroup(groupInput('gem', { display_name: 'Gem', channel_type: 'gemini', sort: 3 }))
  await t.core.cache.reload()
})
afterEach(async () => {
  await t.close()
})

const get = async (path: string) => {
  const res = await t.app.request(path)
  return { status: res.status, body: await res.json() }
}

describe('GET /api/integration/info', () => {
  it('lists every group for a global proxy key, without admin auth', async () => {
    const { status, body } = await get(`/api/integration/info?key=${GLOBAL}`)
    expect(status).toBe(200)
    expect(body).toEqual({
      code: 0,
      message: 'Success',
      data: [
        {
          name: 'custom',
          display_name: 'Custom',
          channel_type: 'custom',
          path: '/proxy/custom/v1/other',
        },
        { name: 'chat', display_name: 'Chat', channel_type: 'openai', path: '/proxy/chat' },
        { name: 'gem', display_name: 'Gem', channel_type: 'gemini', path: '/proxy/gem' },
      ],
    })
  })

  it('lists only its own group for a group proxy key', async () => {
    const { body } = await get('/api/integration/info?key=pk-b')
    expect(body.data.map((g: { name: string }) => g.name)).toEqual(['chat'])
  })

  it('answers 400 VALIDATION_FAILED for a missing or unknown key', async () => {
    for (const path of ['/api/integration/info', '/api/integration/info?key=nope']) {
      const { status, body } = await get(path)
      expect(status).toBe(400)
      expect(body.code).toBe('VALIDATION_FAILED')
    }
    // The admin key is no proxy key here, so it reaches nothing either.
    expect((await get(`/api/integration/info?key=${t.authKey}`)).status).toBe(400)
  })
})

describe('GET /proxy/{group}/api/integration/info', () => {
  it('answers for that group with a relative path, never reaching upstream', async () => {
    const chat = await get('/proxy/chat/api/integration/info?key=pk-a')
    expect(chat.status).toBe(200)
    expect(chat.body.data).toEqual([
      { name: 'chat', display_name: 'Chat', channel_type: 'openai', path: '' },
    ])
    const custom = await get(`/proxy/custom/api/integration/info?key=${GLOBAL}`)
    expect(custom.body.data).toEqual([
      { name: 'custom', display_name: 'Custom', channel_type: 'custom', path: '/v1/other' },
    ])
    expect(upstreamCalls).toBe(0)
  })

  it('answers 404 for an unknown group and 400 for a key that does not reach it', async () => {
    expect((await get(`/proxy/nope/api/integration/info?key=${GLOBAL}`)).status).toBe(404)
    const other = await get('/proxy/gem/api/integration/info?key=pk-a')
    expect(other.status).toBe(400)
    expect(other.body.code).toBe('VALIDATION_FAILED')
    expect((await get('/proxy/chat/api/integration/info')).status).toBe(400)
    expect(upstreamCalls).toBe(0)
  })
})
