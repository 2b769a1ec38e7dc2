// Upstream timers held to within 10%: connect_timeout, response_header_timeout and request_timeout
// of 2 s cut at 2.0–2.2 s. undici checks its own connect and headers timeouts on coarse ticks, so
// 2 s used to cut at about 2.5 s. The real app over the Node adapter's undici fetch; an upstream
// that accepts and never answers, and one whose connect never completes: a listener in a stopped
// process, its accept queue filled, so the kernel drops further handshakes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createUndiciFetch, type UndiciFetch } from '../adapters/node/fetch'
import { createTestApp, type TestApp } from './helpers/app'
import { startSilent, startStuck, type Unresponsive } from './helpers/unresponsive'

let silent: Unresponsive
let stuck: Unresponsive
let upstream: UndiciFetch
let t: TestApp

beforeAll(async () => {
  silent = await startSilent()
  stuck = await startStuck()
  upstream = createUndiciFetch()
  t = await createTestApp({ fetch: upstream })
}, 60_000)

afterAll(async () => {
  await t?.close()
  await upstream?.close()
  await stuck?.close()
  await silent?.close()
})

let n = 0
/** Time until the gateway gives up on a group with these upstream and settings. */
const timeToGiveUp = async (url: string, config: Record<string, number>) => {
  const name = `g${n++}`
  const g = await t.api('POST', '/api/groups', {
    name,
    channel_type: 'openai',
    upstreams: [{ url, weight: 1 }],
    config: { max_retries: 0, ...config },
  })
  expect(g.status).toBe(200)
  const id = ((await g.json()) as { data: { id: number } }).data.id
  expect(
    (await t.api('POST', '/api/keys/add-multiple', { group_id: id, keys_text: 'sk-a' })).status,
  ).toBe(200)
  const started = performance.now()
  const res = await t.app.request(`/proxy/${name}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${t.authKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o', messages: [] }),
  })
  const ms = Math.round(performance.now() - started)
  await res.arrayBuffer()
  expect(res.status).toBe(504)
  return ms
}

describe('upstream timers of 2 s', () => {
  it.each([
    ['response_header_timeout', 'silent', { response_header_timeout: 2 }],
    ['connect_timeout', 'stuck', { connect_timeout: 2 }],
    ['request_timeout, waiting for headers', 'silent', { request_timeout: 2 }],
    ['request_timeout, connecting', 'stuck', { request_timeout: 2 }],
  ] as const)('%s cuts within 10%%', async (what, which, config) => {
    const ms = await timeToGiveUp(which === 'silent' ? silent.url : stuck.url, config)
    console.log(`${what}: 504 after ${ms} ms`)
    expect(ms).toBeGreaterThanOrEqual(1990)
    expect(ms).toBeLessThan(2200)
  })
})
