// Runs one load measurement in a child process (load-worker.ts), optionally pinned to a CPU, and
// calls back when the warm-up ends so the caller can snapshot the proxy's CPU time.
import { spawn } from 'node:child_process'
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

export const runLoad = (spec: LoadSpec, cpu: number | null, onMeasure: () => void) =>
  new Promise<LoadResult>((resolve, reject) => {
    const node = [process.execPath, '--import', 'tsx', WORKER, JSON.stringify(spec)]
    const [cmd, ...args] = cpu === null ? node : ['taskset', '-c', String(cpu), ...node]
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    let result: LoadResult | null = null
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-2000)))
    createInterface({ input: child.stdout }).on('line', (line) => {
      const msg = JSON.parse(line) as { phase?: string; result?: LoadResult }
      if (msg.phase === 'measure') onMeasure()
      if (msg.result) result = msg.result
    })
    child.on('error', reject)
    child.on('close', (code) => {
      if (result) resolve(result)
      else reject(new Error(`load generator exited with ${code}: ${stderr.trim()}`))
    })
  })
