// Text that is not valid Unicode must never reach the database as invalid UTF-8: a proxied model
// "gpt-\ud83d" (a lone surrogate) used to be stored so, after which every GET /api/logs made libsql
// abort the process, also after a restart. The real gateway as a child process, so an abort shows
// as an exit; a fake upstream on loopback.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { maskKey } from '../src/secrets/crypto'
import { clip } from '../src/text'
import { createGroupOn, killAll, startChildGateway, type StartedChild } from './helpers/child'
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream'
import { ADMIN_KEY } from './helpers/gateway'
import { until } from './helpers/wait'

const headers = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }

let up: FakeUpstream
const dirs: string[] = []
const children: StartedChild[] = []

beforeAll(async () => {
  up = await startFakeUpstream({ record: false })
})

afterEach(() => killAll(children))

afterAll(async () => {
  await up?.close()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

const startGateway = async (dir: string) => {
  const child = await startChildGateway(dir, { AUTH_KEY: ADMIN_KEY }, children)
  return { child, url: child.url }
}

/** The logs API, the CSV export and the dashboard all answer 200; returns the logged models. */
const readBack = async (url: string) => {
  const logs = await fetch(`${url}/api/logs?page_size=100`, { headers })
  expect(logs.status).toBe(200)
  const items = ((await logs.json()) as { data: { items: { model: string }[] } }).data.items
  expect((await fetch(`${url}/api/logs/export`, { headers })).status).toBe(200)
  expect((await fetch(`${url}/api/dashboard/stats`, { headers })).status).toBe(200)
  return items.map((i) => i.model)
}

describe('text that is not valid Unicode', () => {
  it('a proxied lone surrogate is logged as U+FFFD, and logs still read after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgeload-unicode-'))
    dirs.push(dir)
    let gw = await startGateway(dir)
    const groupId = await createGroupOn(gw.url, up.url, ADMIN_KEY)
    const k = await fetch(`${gw.url}/api/keys/add-multiple`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ group_id: groupId, keys_text: 'sk-ok' }),
    })
    expect(k.status).toBe(200)

    // JSON text, not JSON.stringify: the escape itself is what a client sends.
    const res = await fetch(`${gw.url}/proxy/g/v1/chat/completions`, {
      method: 'POST',
      headers,
      body: '{"model":"gpt-\\ud83d","messages":[{"role":"user","content":"hi \\udc00"}]}',
    })
    expect(res.status).toBe(200)
    await res.arrayBuffer()

    // The row is written within the README's 3 s; reading it must not end the process.
    let models: string[] = []
    await until(
      async () => (models = await readBack(gw.url)).length > 0,
      10_000,
      () => `log row (output: ${gw.child.out.text})`,
    )
    expect(models).toEqual(['gpt-\ufffd'])
    expect(gw.child.proc.exitCode).toBeNull()

    gw.child.proc.kill('SIGTERM')
    expect((await gw.child.exit).code).toBe(0)
    gw = await startGateway(dir)
    expect(await readBack(gw.url)).toEqual(['gpt-\ufffd'])
    expect(gw.child.out.text).not.toMatch(/panicked|Utf8Error/)
  })

  it('admin JSON with a lone surrogate is a 400 naming the field, and nothing is written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgeload-unicode-'))
    dirs.push(dir)
    const gw = await startGateway(dir)
    const groupId = await createGroupOn(gw.url, up.url, ADMIN_KEY)
    const add = await fetch(`${gw.url}/api/keys/add-multiple`, {
      method: 'POST',
      headers,
      body: `{"group_id":${groupId},"keys_text":"sk-a\\ud83d-key"}`,
    })
    expect(add.status).toBe(400)
    expect(((await add.json()) as { message: string }).message).toMatch(/^keys_text: .*surrogate/)
    const desc = await fetch(`${gw.url}/api/groups/${groupId}`, {
      method: 'PUT',
      headers,
      body: '{"description":"ok \\ude00 not"}',
    })
    expect(desc.status).toBe(400)
    expect(((await desc.json()) as { message: string }).message).toMatch(/^description: /)
    const keys = await fetch(`${gw.url}/api/keys?group_id=${groupId}`, { headers })
    expect(((await keys.json()) as { data: { items: unknown[] } }).data.items).toEqual([])
    const group = await fetch(`${gw.url}/api/groups`, { headers })
    expect(JSON.stringify(await group.json())).not.toContain('not')
  })
})

describe('masks and clips count characters', () => {
  it('a mask never cuts an emoji in half', () => {
    for (const key of ['sk-🚀-key', 'sk-🚀🚀🚀🚀🚀-🚀🚀🚀🚀', '🚀🚀', '🚀a🚀b🚀c🚀d🚀']) {
      const masked = maskKey(key)
      expect(masked.isWellFormed(), masked).toBe(true)
    }
    expect(maskKey('sk-🚀🚀🚀🚀🚀-🚀🚀🚀🚀')).toBe('sk-🚀…🚀🚀🚀🚀')
    expect(maskKey('sk-abcdefghijkl')).toBe('sk-a…ijkl')
  })

  it('a mask shows the first and last character up to 8, four of each past that', () => {
    const cases: [string, string][] = [
      ['', ''],
      ['a', '*'],
      ['ab', '**'],
      ['abc', 'a…c'],
      ['abcdefgh', 'a…h'],
      ['abcdefghi', 'abcd…fghi'],
      ['🚀🚀', '**'],
      ['🚀a🚀', '🚀…🚀'],
      ['🚀bcdefgh🚀', '🚀bcd…fgh🚀'],
      ['\ud800abc', '\ufffd…c'],
    ]
    for (const [key, masked] of cases) expect(maskKey(key), key).toBe(masked)
  })

  it('a clip drops half a pair at its end and replaces lone surrogates', () => {
    expect(clip('ab🚀', 3)).toBe('ab')
    expect(clip('ab🚀', 4)).toBe('ab🚀')
    expect(clip('a\ud83db', 10)).toBe('a\ufffdb')
  })
})
