// Runs load measurements in child processes (load-worker.ts), optionally pinned to a CPU, and
// calls back when the warm-up ends so the caller can snapshot the proxy's CPU time. Several
// workers (one per node of a cluster) start their warm-up together, so their measured windows
// line up.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

export interface LoadSpec {
  kind: 'chat' | 'stream'
  url: string
  headers: Record<string, string>
  body: string
  connections: number
  /** Seconds. */
  duration: number
  warmup: number
}

export interface LoadResult {
  /** Completed requests in the measured window. */
  requests: number
  rps: number
  /** ms: whole response for chat, first body byte for stream. */
  p50: number
  p99: number
  errors: number
}

const WORKER = fileURLToPath(new URL('./load-worker.ts', import.meta.url))

interface Worker {
  ready: Promise<void>
  measuring: Promise<void>
  result: Promise<LoadResult>
  go: () => void
}

const startWorker = (spec: LoadSpec, cpu: number | null): Worker => {
  // An argument may hold at most 128 KiB (Linux): a bigger spec (the 1 MiB body) goes by file.
  let arg = JSON.stringify(spec)
  let specDir: string | null = null
  if (arg.length > 64 * 1024) {
    specDir = mkdtempSync(join(tmpdir(), 'edgeload-load-'))
    arg = join(specDir, 'spec.json')
    writeFileSync(arg, JSON.stringify(spec))
  }
  const node = [process.execPath, '--import', 'tsx', WORKER, arg]
  const [cmd, ...args] = cpu === null ? node : ['taskset', '-c', String(cpu), ...node]
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] })
  let stderr = ''
  let loaded: LoadResult | null = null
  let onReady = () => {}
  let onMeasure = () => {}
  const ready = new Promise<void>((r) => (onReady = r))
  const measuring = new Promise<void>((r) => (onMeasure = r))
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-2000)))
  createInterface({ input: child.stdout }).on('line', (line) => {
    const msg = JSON.parse(line) as { phase?: string; result?: LoadResult }
    if (msg.phase === 'ready') onReady()
    if (msg.phase === 'measure') onMeasure()
    if (msg.result) loaded = msg.result
  })
  const result = new Promise<LoadResult>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => {
      if (specDir) rmSync(specDir, { recursive: true, force: true })
      if (loaded) resolve(loaded)
      else reject(new Error(`load generator exited with ${code}: ${stderr.trim()}`))
    })
  })
  // A worker that dies before it is ready must not leave the others waiting.
  result.catch(() => {}).finally(() => (onReady(), onMeasure()))
  return { ready, measuring, result, go: () => child.stdin.end('go\n') }
}

/**
 * Runs every spec at once, each in its own worker: they start their warm-up together, and
 * `onMeasure` runs once all of them have begun the measured window.
 */
export const runLoads = async (
  specs: LoadSpec[],
  cpu: number | null,
  onMeasure: () => void,
): Promise<LoadResult[]> => {
  const workers = specs.map((spec) => startWorker(spec, cpu))
  await Promise.all(workers.map((w) => w.ready))
  for (const w of workers) w.go()
  void Promise.all(workers.map((w) => w.measuring)).then(onMeasure)
  return Promise.all(workers.map((w) => w.result))
}

export const runLoad = async (spec: LoadSpec, cpu: number | null, onMeasure: () => void) =>
  (await runLoads([spec], cpu, onMeasure))[0]
