// CPU per request of two proxies measured at once: both on the proxy's core, each under the
// test's whole load from its own load worker, so that both share one stretch of the machine. This
// machine's speed moves by up to 2× within a minute (bench/README.md, "Paired"), and two windows
// measured one after the other can land on different sides of such a step; two processes sharing
// the core for the same seconds cannot.
import { cpuMicros } from './cpu'
import type { LoadSpec } from './load'
import { runLoads } from './load'
import { median, TESTS, type TestId } from './report'
import type { Target } from './targets'

/**
 * The chat only. At once, the SSE test's two loads saturate the load side's core (streams a second
 * over both fell to 50–80% of one alone), and each proxy's cost per stream then rises with how it
 * wakes for a trickle, unlike alone; the 1 MiB test's pairs read 0.74–1.72× (bench/README.md).
 */
export const PAIRED_TESTS: readonly TestId[] = ['chat']

/** What each paired target is set beside: the plain node for the variants, else the bare proxy. */
export const pairBase = (target: string) => (target === 'edgeload' ? 'minimal' : 'edgeload')

export interface PairSample {
  target: string
  base: string
  test: TestId
  round: number
  copy: number
  /** CPU µs per completed request of each side, and the completed requests per second. */
  cpuUs: number
  baseCpuUs: number
  rps: number
  baseRps: number
  errors: number
}

const cpuOf = (t: Target) => t.pids.reduce((sum, pid) => sum + cpuMicros(pid), 0)

/** One paired window: `target` and `base` under load together, the others stopped by the caller. */
export const measurePair = async (
  target: Target,
  base: Target,
  specs: (t: Target) => LoadSpec[],
  loadCpu: number | null,
) => {
  const mine = specs(target)
  const theirs = specs(base)
  let before = [0, 0]
  const results = await runLoads([...mine, ...theirs], loadCpu, () => {
    before = [cpuOf(target), cpuOf(base)]
  })
  const after = [cpuOf(target), cpuOf(base)]
  const sum = (rs: typeof results, f: (r: (typeof results)[0]) => number) =>
    rs.reduce((n, r) => n + f(r), 0)
  const a = results.slice(0, mine.length)
  const b = results.slice(mine.length)
  const perRequest = (cpu: number, n: number) => (n === 0 ? Infinity : cpu / n)
  return {
    cpuUs: perRequest(
      after[0] - before[0],
      sum(a, (r) => r.requests),
    ),
    baseCpuUs: perRequest(
      after[1] - before[1],
      sum(b, (r) => r.requests),
    ),
    rps: sum(a, (r) => r.rps),
    baseRps: sum(b, (r) => r.rps),
    errors: sum(results, (r) => r.errors),
  }
}

/** Per target and test: the median of every pair's ratio, each round's median, and the range. */
const summarize = (samples: PairSample[]) => {
  const groups = new Map<string, PairSample[]>()
  for (const s of samples) {
    const key = `${s.target} ${s.test}`
    groups.set(key, [...(groups.get(key) ?? []), s])
  }
  return [...groups.values()].map((g) => {
    const ratios = g.map((s) => s.cpuUs / s.baseCpuUs)
    const rounds = [...new Set(g.map((s) => s.round))].sort((x, y) => x - y)
    return {
      target: g[0].target,
      base: g[0].base,
      test: g[0].test,
      all: median(ratios),
      perRound: rounds.map((r) =>
        median(g.filter((s) => s.round === r).map((s) => s.cpuUs / s.baseCpuUs)),
      ),
      lo: Math.min(...ratios),
      hi: Math.max(...ratios),
      pairs: g.length,
      cpuUs: median(g.map((s) => s.cpuUs)),
      baseCpuUs: median(g.map((s) => s.baseCpuUs)),
      errors: g.reduce((n, s) => n + s.errors, 0),
    }
  })
}

const x = (n: number) => `${n.toFixed(2)}×`

/** The paired table, as Markdown (the plain output prints the same lines). */
export const pairedMarkdown = (samples: PairSample[]) => {
  if (!samples.length) return ''
  const out = [
    'CPU per request measured in pairs (both processes on the proxy core at once, each under the ' +
      "test's whole load; a pair's ratio, the median over every pair of every round):",
    '',
    '| target | beside | test | CPU ratio | per round | range | pairs | µs/req (each side, median) | errors |',
    '|---|---|---|---:|---|---|---:|---:|---:|',
  ]
  for (const s of summarize(samples))
    out.push(
      `| ${s.target} | ${s.base} | ${TESTS[s.test]} | ${x(s.all)} | ${s.perRound.map(x).join(', ')} | ` +
        `${x(s.lo)}–${x(s.hi)} | ${s.pairs} | ${s.cpuUs.toFixed(0)} / ${s.baseCpuUs.toFixed(0)} | ${s.errors} |`,
    )
  return out.join('\n')
}
