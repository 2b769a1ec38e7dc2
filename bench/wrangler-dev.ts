// `wrangler dev` as a bench target: local D1 migrations, the dev server in its own process group
// (optionally pinned to one CPU), and its workerd processes told apart, so the Worker's own CPU
// time can be read without wrangler's node process or its dev proxy.
import { spawn, spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const WRANGLER = fileURLToPath(new URL('../node_modules/wrangler/bin/wrangler.js', import.meta.url))
// Without these wrangler tries to reach the internet (metrics, request.cf data).
const ENV = { WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' }
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export interface WranglerDevOptions {
  /** Path to wrangler.toml, from the repository root. */
  config: string
  name: string
  port: number
  /** The local D1 and other state; migrated first when `migrate`. */
  persistTo: string
  migrate?: boolean
  vars: Record<string, string>
  cpu: number | null
}

/** The pids under a `wrangler dev`: its node process and the two workerd it starts. */
export interface DevPids {
  wrangler: number
  /** The workerd that runs the Worker (and local D1). */
  worker: number
  /** wrangler's dev proxy: a second workerd in front of the Worker, on the public port. */
  devProxy: number
}

const cmdline = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
  } catch {
    return []
  }
}

const descendants = (root: number): number[] => {
  const parent = new Map<number, number>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]))
    } catch {
      // Exited while we looked.
    }
  }
  const out: number[] = []
  const queue = [root]
  while (queue.length) {
    const p = queue.pop()!
    for (const [child, ppid] of parent) if (ppid === p) (out.push(child), queue.push(child))
  }
  return out
}

/** Finds the workerd processes by their command lines: the dev proxy listens on the public port. */
const findPids = (root: number, port: number): DevPids | null => {
  const procs = descendants(root).map((pid) => ({ pid, argv: cmdline(pid) }))
  const workerd = procs.filter((p) => p.argv[1] === 'serve' && /workerd$/.test(p.argv[0]))
  const isProxy = (argv: string[]) => argv.some((a) => a.endsWith(`entry=127.0.0.1:${port}`))
  const devProxy = workerd.find((p) => isProxy(p.argv))
  const worker = workerd.find((p) => !isProxy(p.argv))
  const wrangler = procs.find((p) => p.argv.some((a) => a.endsWith('wrangler-dist/cli.js')))
  if (!devProxy || !worker || !wrangler) return null
  return { wrangler: wrangler.pid, worker: worker.pid, devProxy: devProxy.pid }
}

export const applyD1Migrations = (persistTo: string) => {
  const r = spawnSync(
    process.execPath,
    [WRANGLER, 'd1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistTo],
    { cwd: ROOT, env: { ...process.env, ...ENV }, encoding: 'utf8' },
  )
  if (r.status !== 0) throw new Error(`d1 migrations apply failed:\n${r.stdout}${r.stderr}`)
}

/** Starts `wrangler dev` and waits until `readyPath` answers below 500 and both workerd are found. */
export const startWranglerDev = async (opts: WranglerDevOptions, readyPath: string) => {
  if (opts.migrate) applyD1Migrations(opts.persistTo)
  const argv = [
    process.execPath,
    WRANGLER,
    'dev',
    ...['--config', opts.config, '--name', opts.name],
    ...['--ip', '127.0.0.1', '--port', String(opts.port), '--persist-to', opts.persistTo],
    // Request lines would be printed by wrangler's node process for every request.
    ...['--log-level', 'warn', '--show-interactive-dev-session=false'],
    ...Object.entries(opts.vars).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
  ]
  const [cmd, ...args] = opts.cpu === null ? argv : ['taskset', '-c', String(opts.cpu), ...argv]
  // Its own process group: stop() must reach wrangler's child node process and both workerd.
  const child = spawn(cmd, args, {
    cwd: ROOT,
    env: { ...process.env, ...ENV },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  const keep = (d: Buffer) => (out = (out + d).slice(-4000))
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const kill = (sig: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, sig)
      } catch {
        // Already gone.
      }
    }
    kill('SIGTERM')
    if (await Promise.race([exited.then(() => true), sleep(5000)])) return
    kill('SIGKILL')
    await exited
  }
  const base = `http://127.0.0.1:${opts.port}`
  const deadline = Date.now() + 90_000
  let last = 'no answer'
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`wrangler dev exited with ${child.exitCode}:\n${out}`)
    }
    try {
      const res = await fetch(base + readyPath)
      await res.arrayBuffer()
      const pids = res.status < 500 ? findPids(child.pid!, opts.port) : null
      if (pids) return { base, pids, output: () => out.trim(), stop }
      last = `HTTP ${res.status}${res.status < 500 ? ', workerd not found' : ''}`
    } catch (err) {
      last = (err as Error).message
    }
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`wrangler dev not ready after 90 s (${last}):\n${out}`)
    }
    await sleep(250)
  }
}
