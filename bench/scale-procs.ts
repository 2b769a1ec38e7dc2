// The scale benchmark's processes: the fake upstream and the real gateway (the esbuild output,
// as `npm start` runs it) on a temp SQLite file, plus a small client for the admin API.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { freePort, spawnPinned } from './procs'
import { AUTH_KEY } from './targets'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export interface Proc {
  pid: number
  output: () => string
  stop: () => Promise<void>
}

/** Optionally pinned to one CPU with taskset, so the gateway does not share with the load. */
const start = (argv: string[], env: Record<string, string>, cwd: string, cpu: number | null) => {
  // --cpu-prof writes its file during a graceful exit; give that time before SIGKILL.
  const { child, output, stop } = spawnPinned(argv, { cwd, env, cpu, graceMs: 10_000 })
  return { child, proc: { pid: child.pid!, output, stop } }
}

export const startScaleUpstream = async (delayMs: number, cpu: number | null) => {
  const file = join(ROOT, 'bench/scale-upstream.ts')
  const argv = [process.execPath, '--import', 'tsx', file, '--delay-ms', String(delayMs)]
  const { child, proc } = start(argv, {}, ROOT, cpu)
  // The first stdout line is `{"url": ...}` once it listens.
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve)
    child.once('exit', (code) => reject(new Error(`upstream exited (${code}): ${proc.output()}`)))
  })
  return { ...proc, url: (JSON.parse(line) as { url: string }).url }
}

export interface Gateway extends Proc {
  base: string
  api: <T = any>(method: string, path: string, body?: unknown) => Promise<T>
}

/**
 * Builds dist/node/main.mjs once and runs it on a fresh SQLite file. BENCH_NODE_ARGS adds Node
 * flags, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile the gateway.
 */
export const startGateway = async (cpu: number | null): Promise<Gateway> => {
  const build = spawnSync(process.execPath, ['adapters/node/start.mjs', '--build-only'], {
    cwd: ROOT,
    encoding: 'utf8',
  })
  if (build.status !== 0) throw new Error(`build failed: ${build.stderr}`)
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'edgeload-scale-'))
  const env = {
    PORT: String(port),
    HOST: '127.0.0.1',
    AUTH_KEY,
    DATABASE_DSN: join(dir, 'scale.db'),
    LOG_LEVEL: 'warn',
  }
  const extra = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)
  const argv = [process.execPath, ...extra, join(ROOT, 'dist/node/main.mjs')]
  // cwd is the temp dir, so a developer's .env in the repo cannot change the setup.
  const { child, proc } = start(argv, env, dir, cpu)
  const base = `http://127.0.0.1:${port}`
  const stop = async () => {
    await proc.stop()
    rmSync(dir, { recursive: true, force: true })
  }
  const deadline = Date.now() + 20_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gateway exited: ${proc.output()}`)
    const up = await fetch(`${base}/health`).then(
      (r) => r.status === 200,
      () => false,
    )
    if (up) break
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`gateway not ready after 20 s: ${proc.output()}`)
    }
    await sleep(100)
  }
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${AUTH_KEY}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    const json = JSON.parse(text) as { code?: number; data?: unknown }
    if (!res.ok || json.code !== 0) {
      throw new Error(`${method} ${path} → HTTP ${res.status}: ${text.slice(0, 300)}`)
    }
    return json.data as any
  }
  return { ...proc, stop, base, api }
}

/** `sk-scale-<tag>-000042-…`: distinct, about the length of a real key. */
export const makeKeys = (tag: string, n: number) =>
  Array.from(
    { length: n },
    (_, i) => `sk-scale-${tag}-${String(i).padStart(7, '0')}-abcdef0123456789`,
  )

export const createGroup = async (gw: Gateway, name: string, upstream: string) => {
  const group = await gw.api('POST', '/api/groups', {
    name,
    group_type: 'standard',
    channel_type: 'openai',
    upstreams: [{ url: upstream, weight: 1 }],
    test_model: 'gpt-4o-mini',
  })
  return group.id as number
}

export interface TaskStatus {
  task_type: string
  is_running: boolean
  processed: number
  total: number
  result?: Record<string, number>
  error?: string
  duration_seconds?: number
}

/** Polls GET /api/tasks/status every 20 ms until the task is no longer running. */
export const waitTask = async (gw: Gateway, timeoutMs = 600_000): Promise<TaskStatus> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const s = (await gw.api('GET', '/api/tasks/status')) as TaskStatus
    if (!s.is_running) {
      if (s.error) throw new Error(`task ${s.task_type} failed: ${s.error}`)
      return s
    }
    if (Date.now() > deadline) throw new Error(`task still running after ${timeoutMs} ms`)
    await sleep(20)
  }
}

/** add-async and wait: wall time from sending the request to the task's end, in ms. */
export const importKeys = async (gw: Gateway, groupId: number, keys: string[]) => {
  const t0 = performance.now()
  await gw.api('POST', '/api/keys/add-async', { group_id: groupId, keys_text: keys.join('\n') })
  const status = await waitTask(gw)
  return { ms: performance.now() - t0, status }
}
