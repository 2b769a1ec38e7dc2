// `npm run bench:workers` output: a plain table and a Markdown block, each Worker beside the bare
// Worker measured in the same run, at one connection and under load.
import { median } from './report'

export interface WorkerRow {
  target: string
  connections: number
  requests: number
  rps: number
  p50: number
  p99: number
  errors: number
  /** CPU µs per request of the workerd that runs the Worker. */
  workerUs: number
  /** CPU µs per request of wrangler's dev proxy (a second workerd that only local dev has). */
  devProxyUs: number
  /** Upstash commands and HTTP requests per request; null without Upstash. */
  upstashCmds: number | null
  upstashReqs: number | null
}

const medianOrNull = (xs: (number | null)[]) =>
  xs[0] === null ? null : median(xs.map((x) => x ?? 0))

/** One row per target and connection count: the median of each figure over rounds. */
export const toWorkerMedians = (samples: WorkerRow[]): WorkerRow[] => {
  const groups = new Map<string, WorkerRow[]>()
  for (const r of samples) {
    const key = `${r.target} ${r.connections}`
    groups.set(key, [...(groups.get(key) ?? []), r])
  }
  return [...groups.values()].map((g) => ({
    target: g[0].target,
    connections: g[0].connections,
    requests: g.reduce((n, r) => n + r.requests, 0),
    rps: median(g.map((r) => r.rps)),
    p50: median(g.map((r) => r.p50)),
    p99: median(g.map((r) => r.p99)),
    errors: g.reduce((n, r) => n + r.errors, 0),
    workerUs: median(g.map((r) => r.workerUs)),
    devProxyUs: median(g.map((r) => r.devProxyUs)),
    upstashCmds: medianOrNull(g.map((r) => r.upstashCmds)),
    upstashReqs: medianOrNull(g.map((r) => r.upstashReqs)),
  }))
}

const BARE = 'bare-worker'
const fmt = (n: number | null, digits = 0) => (n === null ? '–' : n.toFixed(digits))
const vsBare = (rows: WorkerRow[], r: WorkerRow) => {
  const bare = rows.find((b) => b.target === BARE && b.connections === r.connections)
  return bare && bare.workerUs > 0 ? `${(r.workerUs / bare.workerUs).toFixed(2)}×` : '–'
}

const cells = (rows: WorkerRow[], r: WorkerRow) => [
  r.target,
  String(r.connections),
  fmt(r.rps),
  fmt(r.p50, 2),
  fmt(r.p99, 2),
  fmt(r.workerUs),
  vsBare(rows, r),
  fmt(r.devProxyUs),
  fmt(r.upstashCmds, 2),
  fmt(r.upstashReqs, 2),
  String(r.errors),
]

const HEAD = [
  'target',
  'conns',
  'req/s',
  'p50 ms',
  'p99 ms',
  'workerd CPU µs/req',
  'vs bare',
  'dev proxy µs/req',
  'Upstash cmds/req',
  'Upstash HTTP/req',
  'errors',
]

export const toWorkerTable = (rows: WorkerRow[]) => {
  const body = rows.map((r) => cells(rows, r))
  const widths = HEAD.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)))
  const line = (cs: string[]) =>
    cs.map((c, i) => (i < 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')
  return [line(HEAD), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n')
}

export const toWorkerMarkdown = (rows: WorkerRow[], note: string) =>
  [
    note,
    '',
    `| ${HEAD.join(' | ')} |`,
    `|---|${HEAD.slice(1)
      .map(() => '---:')
      .join('|')}|`,
    ...rows.map((r) => `| ${cells(rows, r).join(' | ')} |`),
  ].join('\n')
