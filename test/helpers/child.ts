// Runs `node adapters/node/start.mjs` as a child process, the way an operator starts the gateway.
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

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

export const startChild = (cwd: string, env: NodeJS.ProcessEnv): StartedChild => {
  const proc = spawn(process.execPath, [START], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
  const out = { text: '' }
  proc.stdout.on('data', (d) => (out.text += d))
  proc.stderr.on('data', (d) => (out.text += d))
  const exit = new Promise<ChildExit>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  )
  return { proc, out, exit }
}
