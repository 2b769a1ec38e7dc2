// app_url follows the gateway's HOST:PORT until an operator saves one (issue 9, item 14): the real
// Node gateway restarted on another port over the same SQLite file, and a database in which an
// older version seeded app_url at first start.
import { rollbackTo } from './helpers/rollback'
import { createClient } from '@libsql/client'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startTestGateway, type TestGateway } from './helpers/gateway'

let dir: string
let dsn: string
let t: TestGateway | null = null

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'edgeload-app-url-'))
  dsn = join(dir, 'edgeload.db')
})
afterEach(async () => {
  await t?.stop()
  t = null
  rmSync(dir, { recursive: true, force: true })
})

/** (Re)starts the gateway on a fresh random port over the same database file. */
const start = async () => {
  await t?.stop()
  t = await startTestGateway({ DATABASE_DSN: dsn })
  return t
}

const endpointOf = async (gw: TestGateway, name: string) => {
  const r = await gw.admin<{ data: Array<{ name: string; endpoint: string }> }>(
    'GET',
    '/api/groups',
  )
  return r.body.data.find((g) => g.name === name)?.endpoint
}

const appUrlSetting = async (gw: TestGateway) => {
  const r = await gw.admin<{
    data: Array<{ settings: Array<{ key: string; value: unknown; default_value: string }> }>
  }>('GET', '/api/settings')
  return r.body.data.flatMap((c) => c.settings).find((s) => s.key === 'app_url')!
}

/** Runs SQL on the stopped gateway's database file. */
const sqlOn = async (statements: string[]) => {
  await t?.stop()
  t = null
  const db = createClient({ url: `file:${dsn}` })
  try {
    for (const s of statements) await db.execute(s)
  } finally {
    db.close()
  }
}

describe('app_url', () => {
  it('follows the current port until an operator saves one, which then sticks', async () => {
    let gw = await start()
    await gw.createGroup({ name: 'main', upstreams: [{ url: 'http://127.0.0.1:9', weight: 1 }] })
    expect(await endpointOf(gw, 'main')).toBe(`${gw.url}/proxy/main`)
    const firstPort = gw.gw.port

    gw = await start()
    expect(gw.gw.port).not.toBe(firstPort)
    expect(await endpointOf(gw, 'main')).toBe(`${gw.url}/proxy/main`)
    expect(await appUrlSetting(gw)).toMatchObject({ value: gw.url, default_value: gw.url })

    const put = await gw.admin('PUT', '/api/settings', { app_url: 'https://gw.example.com' })
    expect(put.status).toBe(200)
    expect(await endpointOf(gw, 'main')).toBe('https://gw.example.com/proxy/main')

    gw = await start()
    expect(await endpointOf(gw, 'main')).toBe('https://gw.example.com/proxy/main')
    expect(await appUrlSetting(gw)).toMatchObject({
      value: 'https://gw.example.com',
      default_value: gw.url,
    })
  })

  it('drops the value older versions seeded, once, and keeps one an operator saved', async () => {
    let gw = await start()
    await gw.createGroup({ name: 'old', upstreams: [{ url: 'http://127.0.0.1:9', weight: 1 }] })
    // The database as an older version left it: app_url seeded at first start (created_at equal
    // to updated_at), and the migration that clears it not yet applied.
    // Back to before 0007: its journal row and those after it go, with what the later ones made.
    const rerunMigration = rollbackTo('0007_')
    await sqlOn([
      `INSERT INTO system_settings (setting_key, setting_value, created_at, updated_at)
         VALUES ('app_url', 'http://127.0.0.1:3001', 1700000000000, 1700000000000)`,
      ...rerunMigration,
    ])
    gw = await start()
    expect(await endpointOf(gw, 'old')).toBe(`${gw.url}/proxy/old`)

    // An operator's save through the old API rewrote updated_at: that value is a choice.
    await sqlOn([
      `INSERT INTO system_settings (setting_key, setting_value, created_at, updated_at)
         VALUES ('app_url', 'http://chosen.example:8080', 1700000000000, 1700000500000)`,
      ...rerunMigration,
    ])
    gw = await start()
    expect(await endpointOf(gw, 'old')).toBe('http://chosen.example:8080/proxy/old')
  })
})
