// Runs `node adapters/node/start.mjs` as a child process, the way an operator starts the gateway.
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'
import { until, within } from './wait'

const START = fileURLToPath(new URL('../../adapters/node/start.mjs', import.meta.url))

export interface ChildExit {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface StartedChild {
  proc: ChildProcess
  /** stdout and stderr so far, interleaved. */
  out: { text: string }
  /** Settles when the process ends. */
  exit: Promise<ChildExit>
}

export const startChild = (
  cwd: string,
  env: NodeJS.ProcessEnv,
  args: string[] = [],
  /** The program and its first arguments: `node adapters/node/start.mjs` unless given. */
  command: string[] = [process.execPath, START],
): StartedChild => {
  const proc = spawn(command[0], [...command.slice(1), ...args], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const out = { text: '' }
  proc.stdout.on('data', (d) => (out.text += d))
  proc.stderr.on('data', (d) => (out.text += d))
  const exit = new Promise<ChildExit>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  )
  return { proc, out, exit }
}

/**
 * Starts the gateway on `dir`'s database on a free loopback port; resolves once it listens.
 * `children` collects it, so the test's afterEach can kill whatever is still running.
 */
export const startChildGateway = async (
  dir: string,
  env: Record<string, string>,
  children: StartedChild[],
): Promise<StartedChild & { url: string }> => {
  const child = startChild(dir, {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_DSN: join(dir, 'edgeload.db'),
    LOG_LEVEL: 'info',
    ...env,
  })
  children.push(child)
  return { ...child, url: await listeningUrl(child, 60_000) }
}

/** The loopback URL a started gateway prints once it listens (PORT=0: the kernel's port). */
export const listeningUrl = async (child: StartedChild, ms: number): Promise<string> => {
  const listening = /listening on http:\/\/127\.0\.0\.1:(\d+)/
  await until(
    () => listening.test(child.out.text) || child.proc.exitCode !== null,
    ms,
    () => `start (output: ${child.out.text})`,
  )
  const port = Number(listening.exec(child.out.text)?.[1])
  if (!(port > 0)) throw new Error(`gateway did not start: ${child.out.text}`)
  return `http://127.0.0.1:${port}`
}

/** SIGKILLs every child still running and empties the list: for a test file's afterEach. */
export const killAll = (children: StartedChild[]) => {
  for (const c of children.splice(0)) {
    if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL')
  }
}

/**
 * Creates a group (openai channel, one upstream; `g` unless named) through a child gateway's
 * admin API, with `keys` added; resolves to its id.
 */
export const createGroupOn = async (
  url: string,
  upstream: string,
  adminKey: string,
  opts: { name?: string; keys?: string[]; config?: Record<string, unknown> } = {},
) => {
  const headers = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }
  const g = await fetch(`${url}/api/groups`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      name: opts.name ?? 'g',
      channel_type: 'openai',
      test_model: 'gpt-4o-mini',
      upstreams: [{ url: upstream, weight: 1 }],
      ...(opts.config && { config: opts.config }),
    }),
  })
  if (g.status !== 200) throw new Error(`create group: ${g.status} ${await g.text()}`)
  const id = ((await g.json()) as { data: { id: number } }).data.id
  if (opts.keys?.length) {
    const k = await fetch(`${url}/api/keys/add-multiple`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ group_id: id, keys_text: opts.keys.join('\n') }),
    })
    if (k.status !== 200) throw new Error(`add keys: ${k.status} ${await k.text()}`)
  }
  return id
}

/**
 * A slow stream through `group` is in flight when SIGTERM arrives: it finishes (its 8 events,
 * then `[DONE]`), and the process exits 0 within the shutdown budget
 * (SERVER_GRACEFUL_SHUTDOWN_TIMEOUT, 10 s by default), saying so.
 */
export const sigtermDrainsStream = async (
  child: StartedChild,
  url: string,
  adminKey: string,
  group: string,
  model = 'gpt-4o-mini',
) => {
  const res = await within(
    fetch(`${url}/proxy/${group}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    }),
    5000,
    'stream headers',
  )
  expect(res.status).toBe(200)
  const reader = res.body!.getReader()
  const dec = new TextDecoder()
  let text = dec.decode((await within(reader.read(), 5000, 'first chunk')).value)
  // Streamed as it comes, not buffered: the end is still on its way.
  expect(text).not.toContain('[DONE]')
  const signalled = Date.now()
  child.proc.kill('SIGTERM')
  const rest = (async () => {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      text += dec.decode(value, { stream: true })
    }
  })()
  await within(rest, 8000, 'stream after SIGTERM')
  expect(text).toContain('tok7 ')
  expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true)
  const exit = await within(
    child.exit,
    10_000,
    () => `exit after SIGTERM (output: ${child.out.text})`,
  )
  const took = Date.now() - signalled
  console.log(`SIGTERM: stream finished and process exited in ${took} ms`)
  expect(exit).toEqual({ code: 0, signal: null })
  expect(took).toBeLessThan(10_000)
  expect(child.out.text).toContain('shutdown complete')
}
