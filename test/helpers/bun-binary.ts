// The Bun single executable for tests: built once per run with `npm run build:bun`'s script,
// started as an operator would, from an empty folder with nothing on PATH, and the smoke path
// an operator walks through it (health, login, a group, a plain and a streamed request, the log).
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'
import {
  createGroupOn,
  listeningUrl,
  sigtermDrainsStream,
  startChild,
  type StartedChild,
} from './child'
import { until, within } from './wait'

const root = fileURLToPath(new URL('../..', import.meta.url))
export const BINARY = join(root, 'dist/edgeload')

/** Builds dist/edgeload (the admin console first when it is stale); throws with bun's output. */
export const buildBinary = () => {
  const r = spawnSync(process.execPath, [join(root, 'adapters/bun/build.mjs')], {
    cwd: root,
    encoding: 'utf8',
    timeout: 240_000,
  })
  if (r.status !== 0 || !existsSync(BINARY)) {
    throw new Error(`build:bun failed (${r.status}): ${r.stdout}\n${r.stderr}`)
  }
}

/** An empty temporary folder holding a copy of the binary, as a user who downloaded it has. */
export const emptyFolderWithBinary = (): { dir: string; bin: string } => {
  const dir = mkdtempSync(join(tmpdir(), 'edgeload-bun-'))
  const bin = join(dir, 'edgeload')
  copyFileSync(BINARY, bin)
  return { dir, bin }
}

/** Runs the binary in `dir` with only `env` (PATH empty), as a child process. */
export const runBinary = (dir: string, env: Record<string, string>, args: string[] = []) =>
  startChild(dir, { PATH: '', ...env }, args, [join(dir, 'edgeload')])

/** Starts the gateway on a free loopback port; resolves with its URL once it listens. */
export const startBinaryGateway = async (dir: string, env: Record<string, string> = {}) => {
  const child = runBinary(dir, { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env })
  return { ...child, url: await listeningUrl(child, 20_000) }
}

export const chatBody = (stream: boolean, model = 'gpt-4o-mini') =>
  JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'hi' }] })

/** The fake upstream's behaviour for the smoke key: `SLOW_MODEL` streams for about 1.2 s. */
export const SLOW_MODEL = 'gpt-4o-slow'
export const SMOKE_BEHAVIOURS = {
  'sk-smoke': { forModel: SLOW_MODEL, events: 8, eventDelayMs: 150 },
}

const readAll = async (res: Response) => within(res.text(), 10_000, 'response body')

/**
 * The operator's path through a running gateway: health, admin login (and a refused one), a
 * group with one key on `upstream`, a plain and a streamed chat through it, and both log rows.
 * Returns the group's name.
 */
export const smoke = async (url: string, adminKey: string, upstream: string, name: string) => {
  const health = await within(fetch(`${url}/health`), 5000, 'health')
  expect(health.status).toBe(200)
  expect(await health.json()).toMatchObject({ status: 'healthy' })

  const login = (auth_key: string) =>
    fetch(`${url}/api/auth/login`, { method: 'POST', body: JSON.stringify({ auth_key }) })
  const good = await login(adminKey)
  expect(good.status).toBe(200)
  expect(await good.json()).toMatchObject({ success: true })
  expect((await login('not-the-key')).status).toBe(401)

  const headers = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }
  await createGroupOn(url, upstream, adminKey, { name, keys: ['sk-smoke'] })

  const chat = (stream: boolean) =>
    fetch(`${url}/proxy/${name}/v1/chat/completions`, {
      method: 'POST',
      headers,
      body: chatBody(stream),
    })
  const plain = await chat(false)
  expect(plain.status).toBe(200)
  const answer = JSON.parse(await readAll(plain))
  expect(answer.choices[0].message.content).toBe('tok0 tok1 tok2 tok3 tok4 ')

  const streamed = await chat(true)
  expect(streamed.status).toBe(200)
  expect(streamed.headers.get('content-type')).toContain('text/event-stream')
  const events = await readAll(streamed)
  expect(events).toContain('tok4 ')
  expect(events.trimEnd().endsWith('data: [DONE]')).toBe(true)

  // Log rows are written in batches: poll until both requests are there.
  type Row = { group_name: string; status_code: number; is_stream: boolean; is_success: boolean }
  let rows: Row[] = []
  await until(
    async () => {
      const r = await fetch(`${url}/api/logs?group_name=${name}&request_type=final`, { headers })
      rows = ((await r.json()) as { data: { items: Row[] } }).data.items
      return rows.length >= 2
    },
    15_000,
    () => `two log rows (have ${JSON.stringify(rows)})`,
  )
  expect(rows.map((r) => [r.group_name, r.status_code, r.is_stream, r.is_success]).sort()).toEqual([
    [name, 200, false, true],
    [name, 200, true, true],
  ])
  return name
}

/** SIGTERM while a slow stream is in flight: it finishes, and the binary exits 0 in time. */
export const sigtermDrains = (
  child: StartedChild & { url: string },
  adminKey: string,
  group: string,
) => sigtermDrainsStream(child, child.url, adminKey, group, SLOW_MODEL)
