// The load generator, run as its own process (pinned away from the proxy) by load.ts.
// argv[2] is a LoadSpec as JSON (or a file holding it). Prints `{"phase":"ready"}` and waits for a line on stdin (so
// several workers start together), prints `{"phase":"measure"}` when the warm-up ends, then
// `{"result": LoadResult}`.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { performance } from 'node:perf_hooks'
import { Pool } from 'undici'
import type { LoadResult, LoadSpec } from './load'

// autocannon ships no types; it is only driven with a plain options object here.
const autocannon = createRequire(import.meta.url)('autocannon')

// The spec itself, or the path of a file holding it (load.ts passes big ones so).
const arg = process.argv[2]
const spec = JSON.parse(arg.startsWith('{') ? arg : readFileSync(arg, 'utf8')) as LoadSpec
const say = (msg: object) => process.stdout.write(`${JSON.stringify(msg)}\n`)

const percentile = (sorted: Float64Array, p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : 0

/** Non-stream: autocannon measures whole-response latency. */
const chat = async (): Promise<LoadResult> => {
  const run = (duration: number) =>
    autocannon({
      url: spec.url,
      method: 'POST',
      headers: spec.headers,
      body: spec.body,
      connections: spec.connections,
      duration,
    })
  if (spec.warmup > 0) await run(spec.warmup)
  say({ phase: 'measure' })
  const r = await run(spec.duration)
  return {
    requests: r.requests.total,
    rps: r.requests.total / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts + r.non2xx,
  }
}

/** SSE: time to the first body byte, and whole streams per second (must end with [DONE]). */
const stream = async (): Promise<LoadResult> => {
  const url = new URL(spec.url)
  const pool = new Pool(url.origin, { connections: spec.connections, bodyTimeout: 0 })
  const request = {
    path: url.pathname,
    method: 'POST' as const,
    headers: spec.headers,
    body: spec.body,
  }
  let ttfb: number[] = []
  let errors = 0

  const worker = async (until: number) => {
    while (performance.now() < until) {
      const t0 = performance.now()
      let first = -1
      let prev: Buffer | null = null
      let last: Buffer | null = null
      try {
        const res = await pool.request(request)
        for await (const chunk of res.body) {
          if (first < 0) first = performance.now() - t0
          prev = last
          last = chunk as Buffer
        }
        const tail = Buffer.concat([prev ?? Buffer.alloc(0), last ?? Buffer.alloc(0)]).toString()
        if (res.statusCode !== 200 || !tail.includes('[DONE]')) errors++
        else ttfb.push(first)
      } catch {
        errors++
      }
    }
  }
  const phase = (seconds: number) => {
    const until = performance.now() + seconds * 1000
    return Promise.all(Array.from({ length: spec.connections }, () => worker(until)))
  }

  if (spec.warmup > 0) await phase(spec.warmup)
  ttfb = []
  errors = 0
  say({ phase: 'measure' })
  const started = performance.now()
  await phase(spec.duration)
  const elapsed = (performance.now() - started) / 1000
  await pool.close()
  const sorted = Float64Array.from(ttfb).sort()
  return {
    requests: ttfb.length,
    rps: ttfb.length / elapsed,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    errors,
  }
}

const stdin = createInterface({ input: process.stdin })
say({ phase: 'ready' })
await once(stdin, 'line')
stdin.close()
say({ result: await (spec.kind === 'chat' ? chat() : stream()) })
