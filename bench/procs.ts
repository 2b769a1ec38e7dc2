// The bench's child processes: a free loopback port, a process spawned (optionally pinned to one
// CPU with taskset) that keeps its last output for error messages, and a wait for it to answer.
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo
      srv.close(() => resolve(port))
    })
    srv.on('error', reject)
  })

export interface Proc {
  child: ChildProcess
  /** The last few KB of stdout and stderr, for error messages. */
  output: () => string
  stop: () => Promise<void>
}

/**
 * `node [nodeArgs] --import tsx <file>`, or plain `node <file>` for .mjs (one process either way,
 * so its pid is the one doing the work). BENCH_NODE_ARGS adds Node flags to edgeload's process, e.g.
 * `--cpu-prof` to profile it.
 */
export const spawnTs = (
  file: string,
  args: string[],
  env: Record<string, string>,
  cpu: number | null,
  nodeArgs: string[] = [],
): Proc => {
  const extra = env.BENCH_PROFILE
    ? (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)
    : []
  const loader = file.endsWith('.mjs') ? [] : ['--import', 'tsx']
  const node = [process.execPath, ...nodeArgs, ...extra, ...loader, join(ROOT, file), ...args]
  return spawnPinned(node, { cwd: ROOT, env, cpu, graceMs: 3000 })
}

/**
 * Spawns `argv`, pinned to `cpu` with taskset when given, keeping the last 4000 characters of its
 * output; `stop` sends SIGTERM and, after `graceMs`, SIGKILL.
 */
export const spawnPinned = (
  argv: string[],
  opts: { cwd: string; env: Record<string, string>; cpu: number | null; graceMs: number },
) => {
  const [cmd, ...rest] = opts.cpu === null ? argv : ['taskset', '-c', String(opts.cpu), ...argv]
  const child = spawn(cmd, rest, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: 'pipe',
  })
  let out = ''
  const keep = (d: Buffer) => (out = (out + d).slice(-4000))
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    if (await Promise.race([exited.then(() => true), sleep(opts.graceMs)])) return
    child.kill('SIGKILL')
    await exited
  }
  return { child, output: () => out.trim(), stop }
}

/** Polls `url` until `ok(status)`; fails early, with the process's output, if it exits. */
export const waitFor = async (
  proc: Proc,
  url: string,
  ok: (status: number) => boolean,
  ms = 20_000,
) => {
  const deadline = Date.now() + ms
  let last = 'no answer'
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) {
      throw new Error(`exited with code ${proc.child.exitCode}:\n${proc.output()}`)
    }
    try {
      const res = await fetch(url)
      await res.arrayBuffer()
      if (ok(res.status)) return
      last = `HTTP ${res.status}`
    } catch (err) {
      last = (err as Error).message
    }
    await sleep(100)
  }
  throw new Error(`not ready after ${ms} ms (${url}: ${last}):\n${proc.output()}`)
}
