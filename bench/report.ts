// Bench output: a plain table, each edgeload target's ratios to the minimal proxy, and a Markdown
// block for the README.
import type { LoadResult } from './load'

export interface Row extends LoadResult {
  target: string
  test: TestId
  /** Proxy CPU time per completed request, µs; null for the direct target. */
  cpuUs: number | null
  /** The part of cpuUs spent in the kernel (system calls); null for the direct target. */
  sysUs?: number | null
  /** Redis scripts (round trips) per completed request, every node's; null without Redis. */
  redisCmds: number | null
  /** Key picks per completed request, counted in Redis; null without Redis. */
  picks: number | null
  /** Which round measured it (1-based); absent in a median row. */
  round?: number
}

/** The bench's scenarios; their connection counts come from bench/run.ts's flags. */
export const TESTS = {
  chat: 'chat, non-stream',
  stream: 'SSE, 20 events',
  'stream-load': 'SSE, 20 events, under load',
  big: 'chat, 1 MiB request body',
} as const
export type TestId = keyof typeof TESTS
const fmt = (n: number | null, digits = 0) => (n === null ? '–' : n.toFixed(digits))
const ratio = (a: number | null | undefined, b: number | null | undefined) =>
  a == null || b == null || b === 0 ? '–' : `${(a / b).toFixed(2)}×`

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}

/** One row per target and test: the median of each figure over rounds, errors summed. */
export const toMedians = (samples: Row[]): Row[] => {
  const groups = new Map<string, Row[]>()
  for (const r of samples) {
    const key = `${r.target} ${r.test}`
    groups.set(key, [...(groups.get(key) ?? []), r])
  }
  return [...groups.values()].map((g) => ({
    target: g[0].target,
    test: g[0].test,
    requests: g.reduce((n, r) => n + r.requests, 0),
    rps: median(g.map((r) => r.rps)),
    p50: median(g.map((r) => r.p50)),
    p99: median(g.map((r) => r.p99)),
    cpuUs: g[0].cpuUs === null ? null : median(g.map((r) => r.cpuUs ?? 0)),
    sysUs: g[0].sysUs == null ? null : median(g.map((r) => r.sysUs ?? 0)),
    redisCmds: g[0].redisCmds === null ? null : median(g.map((r) => r.redisCmds ?? 0)),
    picks: g[0].picks === null ? null : median(g.map((r) => r.picks ?? 0)),
    errors: g.reduce((n, r) => n + r.errors, 0),
  }))
}

/**
 * One row per target, test and round: where the target ran as several processes (`--copies`), the
 * one that spent the least CPU per request, whole. A process of the same code settles at one of
 * two costs for its whole life, 1.3–1.5× apart (bench/README.md), and which one is luck: the
 * least of several is the cost the code reaches.
 */
export const combineCopies = (samples: Row[]): Row[] => {
  const best = new Map<string, Row>()
  for (const r of samples) {
    const key = `${r.target} ${r.test} ${r.round}`
    const seen = best.get(key)
    if (!seen || (r.cpuUs ?? Infinity) < (seen.cpuUs ?? Infinity)) best.set(key, r)
  }
  return [...best.values()]
}

const find = (rows: Row[], target: string, test: string) =>
  rows.find((r) => r.target === target && r.test === test)

export const toTable = (rows: Row[]) => {
  const head = [
    'target',
    'test',
    'req/s',
    'p50 ms',
    'p99 ms',
    'CPU µs/req',
    'vs direct',
    'Redis cmds/req',
    'picks/req',
    'errors',
  ]
  const body = rows.map((r) => [
    r.target,
    TESTS[r.test],
    fmt(r.rps),
    fmt(r.p50, 2),
    fmt(r.p99, 2),
    fmt(r.cpuUs),
    ratio(r.rps, find(rows, 'direct', r.test)?.rps),
    fmt(r.redisCmds, 3),
    fmt(r.picks, 3),
    String(r.errors),
  ])
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)))
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n')
}

const isEdgeload = (target: string) => target.startsWith('edgeload')
/** Set beside the minimal proxy: edgeload's targets and the other yardsticks. */
const vsMinimal = (target: string) => isEdgeload(target) || target.startsWith('minimal-')

/** Variants also set beside another target than the plain node. */
const VS: Record<string, string[]> = {
  // The bare proxy holding each body whole, Hono with the Node adapter and no gateway work, and
  // that with every request's log row stored.
  edgeload: ['minimal-buffered', 'minimal-hono', 'minimal-hono-logged'],
  'minimal-hono-logged': ['minimal-hono'],
  'edgeload-full': ['edgeload-redis'],
}

type Metric = 'rps' | 'cpuUs' | 'p50' | 'p99'

/**
 * `target` ÷ `base` for one test: the median over rounds of each round's own ratio. The machine's
 * speed drifts within a run (the minimal proxy's chat read 172–287 µs/req in one 5-round run),
 * and two targets measured back to back in one round share that drift, so pairing them cancels
 * it. Without per-round samples, the ratio of the two medians.
 */
const pairedRatio = (rows: Row[], samples: Row[], test: TestId, target: string, base: string) => {
  const at = (name: string) => samples.filter((s) => s.target === name && s.test === test)
  const mine = at(target)
  const theirs = new Map(at(base).map((s) => [s.round, s]))
  const pairs = mine.flatMap((a) => {
    const b = a.round === undefined ? undefined : theirs.get(a.round)
    return b ? [[a, b] as const] : []
  })
  return (metric: Metric) => {
    const vals = pairs.flatMap(([a, b]) => {
      const x = a[metric]
      const y = b[metric]
      return x == null || y == null || y === 0 ? [] : [x / y]
    })
    if (vals.length) return `${median(vals).toFixed(2)}×`
    return ratio(find(rows, target, test)?.[metric], find(rows, base, test)?.[metric])
  }
}

/**
 * Each edgeload target and the other yardsticks ÷ minimal proxy, per test: req/s (higher is
 * better), CPU and latency (lower is better).
 */
export const toRatios = (rows: Row[], samples: Row[] = []) => {
  const lines: string[] = []
  for (const e of rows.filter((r) => vsMinimal(r.target))) {
    const m = find(rows, 'minimal', e.test)
    if (!m) continue
    // The variants (Redis, 100k keys, sealed keys, rules, all, Bun): what each costs over the
    // plain node. The full one runs on the Redis pool, whose round trip is reported apart: it is
    // set beside the Redis node as well.
    const variant = isEdgeload(e.target) && e.target !== 'edgeload'
    const bases = [...(variant ? ['edgeload'] : []), ...(VS[e.target] ?? [])]
    const vs = bases
      .filter((name) => find(rows, name, e.test))
      .map((name) => {
        const r = pairedRatio(rows, samples, e.test, e.target, name)
        return ` (vs ${name}: CPU/req ${r('cpuUs')}, req/s ${r('rps')})`
      })
    const r = pairedRatio(rows, samples, e.test, e.target, m.target)
    lines.push(
      `${e.target}, ${TESTS[e.test]}: req/s ${r('rps')}, CPU/req ${r('cpuUs')}, ` +
        `p50 ${r('p50')}, p99 ${r('p99')}${vs.join('')}`,
    )
  }
  return lines.length ? `Against the minimal proxy\n${lines.join('\n')}` : ''
}

export const toMarkdown = (rows: Row[], note: string, samples: Row[] = []) => {
  const out = [
    note,
    '',
    '| target | test | req/s | p50 ms | p99 ms | proxy CPU µs/req | vs direct | vs minimal (CPU) | Redis cmds/req | picks/req |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ]
  for (const r of rows) {
    const cpuVsMinimal = vsMinimal(r.target)
      ? pairedRatio(rows, samples, r.test, r.target, 'minimal')('cpuUs')
      : '–'
    const p = r.test.startsWith('stream') ? ' (TTFB)' : ''
    out.push(
      `| ${r.target} | ${TESTS[r.test]} | ${fmt(r.rps)} | ${fmt(r.p50, 2)}${p} | ${fmt(r.p99, 2)} | ` +
        `${fmt(r.cpuUs)} | ${ratio(r.rps, find(rows, 'direct', r.test)?.rps)} | ${cpuVsMinimal} | ` +
        `${fmt(r.redisCmds, 3)} | ${fmt(r.picks, 3)} |`,
    )
  }
  const ratios = toRatios(rows, samples)
  if (ratios) out.push('', ...ratios.split('\n').map((l, i) => (i === 0 ? `${l}:` : `- ${l}`)))
  return out.join('\n')
}
