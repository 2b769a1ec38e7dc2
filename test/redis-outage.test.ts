// When Redis goes away, and when it comes back empty. The gateway reaches the real Redis through a
// loopback relay that the test cuts, so other tests sharing Redis are not disturbed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream'
import { startTestGateway, type TestGateway } from './helpers/gateway'
import { dropRedisPrefix, freshRedisPrefix } from './helpers/redis'
import { startTcpRelay, type TcpRelay } from './helpers/tcp-relay'
import { eventually } from './helpers/wait'

const GOOD = 'sk-outage-good-0123456789'
const BAD = 'sk-outage-bad-0123456789'
const prefix = freshRedisPrefix()
let up: FakeUpstream
let relay: TcpRelay
let t: TestGateway

beforeAll(async () => {
  up = await startFakeUpstream({ behaviours: { [BAD]: { status: 401 } } })
  relay = await startTcpRelay(6379)
  t = await startTestGateway({
    REDIS_DSN: `redis://127.0.0.1:${relay.port}`,
    REDIS_PREFIX: prefix,
  })
})
afterAll(async () => {
  await t?.stop()
  await relay?.close()
  await up?.close()
  await dropRedisPrefix(prefix)
})

const chat = async () => {
  const r = await t.chat('g')
  return { status: r.status, text: await r.text() }
}

describe('Redis outages', () => {
  it('answers 503 at once while Redis is away, and serves again when it is back', async () => {
    const gid = await t.createGroup(
      { name: 'g', upstreams: [{ url: up.url, weight: 1 }], config: { blacklist_threshold: 1 } },
      [GOOD, BAD],
    )
    // BAD is blacklisted by the first request that picks it.
    for (let i = 0; i < 4; i++) await chat()
    await eventually(async () => expect((await t.keysOf(gid))[BAD].status).toBe('invalid'))
    expect((await chat()).status).toBe(200)

    relay.cut()
    const t0 = Date.now()
    const down = await chat()
    const took = Date.now() - t0
    expect(down.status).toBe(503)
    expect(down.text).toMatch(/key pool unreachable/)
    expect(took).toBeLessThan(4000)
    const ready = await fetch(`${t.url}/health/ready`)
    expect(ready.status).toBe(503)
    expect(await ready.text()).toMatch(/Redis unreachable/)
    console.log(`with Redis cut, a proxied request was answered 503 in ${took} ms`)

    relay.restore()
    const back = Date.now()
    await eventually(async () => expect((await chat()).status).toBe(200), 10_000, 50)
    console.log(`serving again ${Date.now() - back} ms after Redis came back`)
    // Ready again once the rows kept meanwhile reached the queue (their retry backs off from 2 s).
    await eventually(
      async () => expect((await fetch(`${t.url}/health/ready`)).status).toBe(200),
      10_000,
      100,
    )
  }, 30_000)

  it('refills the pool from the database when Redis comes back empty', async () => {
    await dropRedisPrefix(prefix) // what a Redis restarted without persistence holds
    const t0 = Date.now()
    await eventually(async () => expect((await chat()).status).toBe(200), 5000, 50)
    console.log(`pool refilled ${Date.now() - t0} ms after Redis lost its state`)
    // The blacklisted key comes back as the database has it: invalid.
    const before = up.requests.length
    for (let i = 0; i < 6; i++) expect((await chat()).status).toBe(200)
    expect(up.requests.slice(before).map((r) => r.credential)).not.toContain(BAD)
  }, 30_000)
})
