// Runs `node adapters/node/start.mjs` as a child process, the way an operator starts the gateway.
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { until } from './wait'

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
): StartedChild => {
  const proc = spawn(process.execPath, [START, ...args], {
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
  const listening = /listening on http:\/\/127\.0\.0\.1:(\d+)/
  await until(
    () => listening.test(child.out.text) || child.proc.exitCode !== null,
    60_000,
    () => `start (output: ${child.out.text})`,
  )
  const port = Number(listening.exec(child.out.text)?.[1])
  if (!(port > 0)) throw new Error(`gateway did not start: ${child.out.text}`)
  return { ...child, url: `http://127.0.0.1:${port}` }
}

/** SIGKILLs every child still running and empties the list: for a test file's afterEach. */
export const killAll = (children: StartedChild[]) => {
  for (const c of children.splice(0)) {
    if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL')
  }
}

/** Creates group `g` (openai channel, one upstream) through a child gateway's admin API. */
export const createGroupOn = async (url: string, upstream: string, adminKey: string) => {
  const g = await fetch(`${url}/api/groups`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'g',
      channel_type: 'openai',
      upstreams: [{ url: upstream, weight: 1 }],
    }),
  })
  if (g.status !== 200) throw new Error(`create group: ${g.status} ${await g.text()}`)
  return ((await g.json()) as { data: { id: number } }).data.id
}
