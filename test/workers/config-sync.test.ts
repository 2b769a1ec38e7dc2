// Config versions inside workerd: the per-request duties (runNodeJobs, as the Workers entry runs
// them after each response) cost no D1 statement while nothing changed, one version read per
// TICK_MS at most, and a bump from another isolate is picked up at the next read.
import { env } from 'cloudflare:workers'
import { drizzle } from 'drizzle-orm/d1'
import { beforeAll, describe, expect, it } from 'vitest'
import { createApp, type EdgeloadApp } from '../../src/app'
import { createSqlCoordination } from '../../src/coord/sql'
import { VERSION_CONFIG } from '../../src/coord/types'
import { runNodeJobs, TICK_MS } from '../../src/jobs/run-due'
import { createMemoryKeyPool } from '../../src/keys/pool-memory'
import * as schema from '../../src/store/schema.sqlite'
import { createSqlStore } from '../../src/store/sql'
import { testCoreConfig } from './core-config'
import { countingDb } from './counting-db'
import { createFakeOpenAI } from './fake-openai'

const AUTH = env.AUTH_KEY
let clock = 1_800_000_000_000
const statements: string[] = []

const db = drizzle(countingDb(env.DB, statements), { schema })
const upstream = createFakeOpenAI()
let edgeload: EdgeloadApp

const request = (path: string, body: unknown, method = 'POST') =>
  edgeload.app.request(path, {
    method,
    headers: { Authorization: `Bearer ${AUTH}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })

beforeAll(async () => {
  edgeload = createApp({
    store: createSqlStore(db),
    pool: createMemoryKeyPool(),
    coord: createSqlCoordination(db, () => clock),
    fetch: upstream.fetch,
    waitUntil: () => {},
    now: () => clock,
    log: () => {},
    config: testCoreConfig(AUTH),
  })
  await edgeload.init({ seedSettings: { proxy_keys: AUTH } })
  const g = await request('/api/groups', {
    name: 'v',
    channel_type: 'openai',
    upstreams: [{ url: 'https://upstream.test', weight: 1 }],
  })
  const gid = ((await g.json()) as { data: { id: number } }).data.id
  await request('/api/keys/add-multiple', { group_id: gid, keys_text: 'sk-v-1' })
})

const chat = () =>
  request('/proxy/v/v1/chat/completions', {
    model: 'm',
    messages: [{ role: 'user', content: 'hi' }],
  })

describe('config version check on Workers', () => {
  it('costs no D1 statement per request while nothing changed', async () => {
    await runNodeJobs(edgeload.core, clock)
    await edgeload.core.logs.flush()
    statements.length = 0
    for (let i = 0; i < 30; i++) {
      expect((await chat()).status).toBe(200)
      await runNodeJobs(edgeload.core, clock)
    }
    expect(statements).toEqual([])

    // A tick later: one version read, no reload (nothing changed).
    clock += TICK_MS
    for (let i = 0; i < 10; i++) {
      expect((await chat()).status).toBe(200)
      await runNodeJobs(edgeload.core, clock)
    }
    expect(statements).toHaveLength(1)
    expect(statements[0]).toContain('coord_versions')
  })

  it('reloads at the next read once another isolate bumped the version', async () => {
    const other = createSqlCoordination(drizzle(env.DB, { schema }), () => clock)
    // Another isolate renames the group's display name and bumps the version.
    await env.DB.prepare(`update groups set display_name = 'renamed' where name = 'v'`).run()
    const loaded = edgeload.core.sync.loaded()
    expect(await other.bump(VERSION_CONFIG)).toBe(loaded + 1)
    await runNodeJobs(edgeload.core, clock)
    expect(edgeload.core.cache.byName('v')?.group.display_name).not.toBe('renamed')
    clock += TICK_MS
    await runNodeJobs(edgeload.core, clock)
    expect(edgeload.core.sync.loaded()).toBe(loaded + 1)
    expect(edgeload.core.cache.byName('v')?.group.display_name).toBe('renamed')
  })
})
