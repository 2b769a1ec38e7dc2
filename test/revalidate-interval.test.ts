// Re-validation at a group's own interval, driven by runDueJobs on a fake clock: with
// key_validation_interval_minutes = 1, a blacklisted key that the upstream accepts again is back
// within about a minute (v1 ticked every 5 minutes, so a 1-minute interval waited up to 5).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runDueJobs } from '../src/jobs/run-due'
import { createTestApp, TEST_AUTH_KEY, type TestApp } from './helpers/app'
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream'

const BAD = 'sk-revive-0123456789abcdef'
const OK = 'sk-fine-0123456789abcdef'
let up: FakeUpstream
let t: TestApp
let clock = Date.UTC(2026, 11, 1, 12)

beforeAll(async () => {
  up = await startFakeUpstream()
  t = await createTestApp({ now: () => clock, config: { isMaster: true } })
})
afterAll(async () => {
  await t.close()
  await up.close()
})

const keyStatus = async (gid: number) => {
  const { items } = await t.deps.store.listKeys({ group_id: gid, page: 1, page_size: 10 })
  return Object.fromEntries(items.map((k) => [k.key_value, k.status]))
}

describe('re-validation every minute', () => {
  it('restores a key within about a minute of its blacklisting, on a fake clock', async () => {
    const g = await t.api('POST', '/api/groups', {
      name: 'minute',
      channel_type: 'openai',
      upstreams: [{ url: up.url, weight: 1 }],
      config: { blacklist_threshold: 1, key_validation_interval_minutes: 1 },
    })
    const gid = ((await g.json()) as { data: { id: number } }).data.id
    await t.api('POST', '/api/keys/add-multiple', { group_id: gid, keys_text: `${BAD}\n${OK}` })
    // The first run validates at once (never validated), then the group waits its minute.
    await runDueJobs(t.core, clock)
    up.setBehaviour({ [BAD]: { status: 401 } })
    for (let i = 0; i < 2; i++) {
      const res = await t.app.request('/proxy/minute/v1/chat/completions', {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_AUTH_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'm', messages: [] }),
      })
      expect(res.status).toBe(200)
    }
    await t.core.keys.flush()
    expect((await keyStatus(gid))[BAD]).toBe('invalid')
    up.setBehaviour({ [BAD]: null })

    // Tick every 10 s of fake time: the key is back once the minute since the last run is over.
    const start = clock
    let back = -1
    for (let s = 10; s <= 120 && back < 0; s += 10) {
      clock = start + s * 1000
      await runDueJobs(t.core, clock)
      await t.settle()
      if ((await keyStatus(gid))[BAD] === 'active') back = s
    }
    expect(back).toBe(60)
  })
})
