// `npm run bench`: the fake upstream directly, the minimal proxy and edgeload (memory pool; Redis
// pool; two nodes on one Redis), each measured on a non-stream chat completion (autocannon), a
// 20-event SSE stream one at a time and under load (time to first byte), and a chat with a 1 MiB
// request body, then the key-pick micro-benchmark (bench/pick.ts).
// Flags: --duration 10 --warmup 2 --connections 64 --stream-connections 1 --big-connections 16
//        --tests chat,stream,stream-load,big
//        --targets direct,minimal,minimal-buffered,minimal-hono,minimal-hono-logged,edgeload,
//          edgeload-redis,edgeload-2nodes,edgeload-bun (minimal-buffered: the bare proxy holding
//          each body whole; minimal-hono: Hono with edgeload's Node adapter pieces and no gateway
//          work; minimal-hono-logged: that, storing every request's log row;
//          edgeload-bun: the Bun binary, built first); also edgeload-100k, edgeload-sealed,
//          edgeload-rules and edgeload-full: the gateway fully at work
//        --redis URL|private (the Redis targets' Redis; private: a redis-server of the bench's own)
//        --skip-pick (no key-pick micro-benchmark)
//        --rounds N (interleave targets N times and report medians: for busy machines)
//        --copies N (processes of each yardstick and edgeload; a round takes the cheapest)
//        --copies-of a,b (the targets run as --copies processes; minimal,minimal-hono,
//          minimal-hono-logged,edgeload by default)
//        --json out.json (raw rows)  --readme (rewrite README.md's bench:start/bench:end block)
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { cpuMicros, twoCpus } from './cpu'
import { byCopy } from './order'
import { measurePair, pairBase, PAIRED_TESTS, pairedMarkdown, type PairSample } from './paired'
import { Redis } from 'ioredis'
import type { LoadResult, LoadSpec } from './load'
import { runLoads } from './load'
import type { PickRow } from './pick'
import { pickMarkdown, pickTable } from './pick'
import { redisCounts } from './redis-count'
import type { Row, TestId } from './report'
import { combineCopies, TESTS, toMarkdown, toMedians, toRatios, toTable } from './report'
import type { EdgeloadOptions, Target } from './targets'
import { spawnPinned } from './procs'
import { VARIANTS } from './configure'
import { directTarget, startEdgeload, startMinimal, startRedis, startUpstream } from './targets'

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '64' },
    // Time to first byte is a latency: measured one stream at a time, so queueing behind other
    // requests does not hide what the proxy adds.
    'stream-connections': { type: 'string', default: '1' },
    // The 1 MiB request body: fewer connections, as such bodies come from fewer, slower clients.
    'big-connections': { type: 'string', default: '16' },
    tests: { type: 'string', default: 'chat,stream,stream-load,big' },
    rounds: { type: 'string', default: '1' },
    // One process of the same code can cost 40% more per request than the next, for its whole
    // life (bench/README.md): the yardsticks and the plain node run as several, and each round
    // takes the cheapest of each.
    copies: { type: 'string', default: '3' },
    // The variants' ratios to the plain node need their own copies too, at the cost of run time.
    'copies-of': { type: 'string', default: 'minimal,minimal-hono,minimal-hono-logged,edgeload' },
    // See bench/README.md for how long a run takes.
    targets: {
      type: 'string',
      default:
        'direct,minimal,minimal-buffered,minimal-hono,minimal-hono-logged,edgeload,edgeload-redis,edgeload-2nodes,edgeload-bun',
    },
    // The Redis of the Redis targets: a URL, or `private` for a redis-server of the bench's own.
    redis: { type: 'string', default: process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379' },
    // The key-pick micro-benchmark (bench/pick.ts) runs after the load unless skipped.
    'skip-pick': { type: 'boolean', default: false },
    // Each round also measures every copied edgeload target's processes at once with their
    // base's (bench/paired.ts) for the chat's CPU ratio; this skips that.
    'skip-paired': { type: 'boolean', default: false },
    json: { type: 'string' },
    readme: { type: 'boolean', default: false },
  },
})
const duration = Number(values.duration)
const warmup = Number(values.warmup)
const connections = Number(values.connections)
const streamConnections = Number(values['stream-connections'])
const bigConnections = Number(values['big-connections'])
const rounds = Math.max(1, Number(values.rounds))
const copies = Math.max(1, Number(values.copies))
/** The targets that run as `copies` processes: by default the yardsticks and the plain node. */
const COPIED = new Set(values['copies-of'].split(',').map((s) => s.trim()))
const EVENTS = 20
const targetNames = values.targets.split(',').map((s) => s.trim())

const cpus = twoCpus()
const pin = cpus ? { proxy: cpus[0], load: cpus[1] } : null
// Node's version changes the figures (Node 20's Web streams cost more per stream than 22's).
const note = `Node ${process.version}; ${
  pin
    ? `proxy pinned to CPU ${pin.proxy}; load generator and fake upstream to CPU ${pin.load}`
    : 'not pinned (needs taskset and 2 CPUs): figures mix proxy and load CPU'
}`

const body = (stream: boolean, content = 'Say hello in twenty tokens.') =>
  JSON.stringify({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content }],
    ...(stream && { stream: true }),
  })

/** Each scenario: what the load generator sends, and over how many connections. */
const SCENARIOS: Record<TestId, { kind: 'chat' | 'stream'; connections: number; body: string }> = {
  chat: { kind: 'chat', connections, body: body(false) },
  stream: { kind: 'stream', connections: streamConnections, body: body(true) },
  'stream-load': { kind: 'stream', connections, body: body(true) },
  // 1 MiB of message text: the body is read once, scanned for the model, and forwarded as is.
  big: { kind: 'chat', connections: bigConnections, body: body(false, 'x'.repeat(1024 * 1024)) },
}
const tests = values.tests.split(',').map((s) => s.trim()) as TestId[]
for (const t of tests)
  if (!(t in SCENARIOS))
    throw new Error(`unknown test ${t} (use ${Object.keys(SCENARIOS).join(', ')})`)

let redisClient = null as Redis | null

/**
 * The load workers' specs for `test` on `target`: one per node, the connections split evenly
 * between them (a worker left with none is not started: the stream test's single connection goes
 * to the first node).
 */
const specsFor = (target: Target, test: TestId): LoadSpec[] => {
  const headers = { ...target.headers, 'content-type': 'application/json' }
  const scenario = SCENARIOS[test]
  const total = scenario.connections
  return target.urls
    .map((url, i) => ({
      kind: scenario.kind,
      url,
      headers,
      body: scenario.body,
      connections:
        Math.floor(total / target.urls.length) + (i < total % target.urls.length ? 1 : 0),
      duration,
      warmup,
    }))
    .filter((spec) => spec.connections > 0)
}

/**
 * One measurement of `target`. Requests and req/s are summed over its nodes' workers; CPU µs/req
 * is every node's CPU time over all requests; p50 and p99 are the workers' figures averaged,
 * weighted by their requests (a mean of percentiles, not a percentile of the merged latencies).
 */
const measure = async (target: Target, test: TestId): Promise<Row> => {
  const specs = specsFor(target, test)
  const cpu = () => target.pids.reduce((sum, pid) => sum + cpuMicros(pid), 0)
  const sys = () => target.pids.reduce((sum, pid) => sum + cpuMicros(pid, true), 0)
  const { redis } = target
  if (redis) redisClient ??= new Redis(redis.url, { maxRetriesPerRequest: 1 })
  const counts = () => (redis ? redisCounts(redisClient!, redis.prefix, redis.groupId) : null)
  let before = 0
  let sysBefore = 0
  let countsBefore = null as ReturnType<typeof counts>
  const results = await runLoads(specs, pin?.load ?? null, () => {
    before = cpu()
    sysBefore = sys()
    countsBefore = counts()
    // Awaited below; meanwhile a failure must not count as unhandled.
    countsBefore?.catch(() => {})
  })
  const cpuAfter = cpu()
  const sysAfter = sys()
  const [start, end] = await Promise.all([countsBefore, counts()])
  const requests = results.reduce((n, r) => n + r.requests, 0)
  const weighted = (f: (r: LoadResult) => number) =>
    requests === 0 ? 0 : results.reduce((sum, r) => sum + f(r) * r.requests, 0) / requests
  const perRequest = (n: number) => (requests === 0 ? null : n / requests)
  return {
    target: target.name,
    test,
    requests,
    rps: results.reduce((sum, r) => sum + r.rps, 0),
    p50: weighted((r) => r.p50),
    p99: weighted((r) => r.p99),
    errors: results.reduce((n, r) => n + r.errors, 0),
    cpuUs: target.pids.length === 0 ? null : perRequest(cpuAfter - before),
    sysUs: target.pids.length === 0 ? null : perRequest(sysAfter - sysBefore),
    redisCmds: start && end ? perRequest(end.scripts - start.scripts) : null,
    picks: start && end ? perRequest(end.turn - start.turn) : null,
  }
}

/** Sends `signal` to every node of `targets`; one that already exited is skipped. */
const signalAll = (targets: Target[], signal: 'SIGSTOP' | 'SIGCONT') => {
  for (const pid of targets.flatMap((t) => t.pids)) {
    try {
      process.kill(pid, signal)
    } catch {
      // Gone already: its stop() reports nothing either.
    }
  }
}

const BUN_BINARY = fileURLToPath(new URL('../dist/edgeload', import.meta.url))
const buildBun = () => {
  console.log('building dist/edgeload …')
  const build = fileURLToPath(new URL('../adapters/bun/build.mjs', import.meta.url))
  const r = spawnSync(process.execPath, [build], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`npm run build:bun failed: ${r.stdout}\n${r.stderr}`)
}

let privateRedis = null as Awaited<ReturnType<typeof startRedis>> | null
/** The Redis URL for the Redis targets; a private redis-server is started on first use. */
const redisUrl = async () => {
  if (values.redis !== 'private') return values.redis
  privateRedis ??= await startRedis(pin?.load ?? null)
  return privateRedis.url
}

const edgeload =
  (opts: EdgeloadOptions, redis = false) =>
  async (upstream: string) =>
    startEdgeload(upstream, pin?.proxy ?? null, {
      ...opts,
      ...(redis && { redisUrl: await redisUrl() }),
    })

/**
 * The key-pick micro-benchmark (bench/pick.ts) in its own process, pinned to the proxy's CPU as a
 * node would be, on the Redis of the Redis targets.
 */
const runPicks = async (): Promise<PickRow[]> => {
  const args = { redisUrl: await redisUrl(), concurrency: connections }
  const proc = spawnPinned(
    [
      process.execPath,
      '--import',
      'tsx',
      fileURLToPath(new URL('./pick.ts', import.meta.url)),
      JSON.stringify(args),
    ],
    { cwd: process.cwd(), env: {}, cpu: pin?.proxy ?? null, graceMs: 1000 },
  )
  const code = await new Promise((r) => proc.child.once('exit', r))
  if (code !== 0) throw new Error(`exited with ${code}: ${proc.output()}`)
  return (JSON.parse(proc.output().split('\n').pop()!) as { rows: PickRow[] }).rows
}

const starters: Record<string, (upstream: string) => Promise<Target>> = {
  direct: async (upstream) => directTarget(upstream),
  minimal: (upstream) => startMinimal(upstream, pin?.proxy ?? null),
  // The same, reading each request body whole first: what retrying on another key requires.
  'minimal-buffered': (upstream) => startMinimal(upstream, pin?.proxy ?? null, 'minimal-buffered'),
  // Hono on @hono/node-server with edgeload's Node adapter pieces and no gateway work: the floor
  // that the fixed stack sets; and that storing every request's log row, as issue 15 requires.
  'minimal-hono': (upstream) => startMinimal(upstream, pin?.proxy ?? null, 'minimal-hono'),
  'minimal-hono-logged': (upstream) =>
    startMinimal(upstream, pin?.proxy ?? null, 'minimal-hono-logged'),
  edgeload: edgeload({ name: 'edgeload' }),
  'edgeload-redis': edgeload({ name: 'edgeload-redis' }, true),
  // The gateway fully at work (issue 15), one feature at a time and all at once.
  ...Object.fromEntries(
    Object.entries(VARIANTS).map(([name, v]) => [name, edgeload({ name, ...v })]),
  ),
  'edgeload-full': edgeload(
    { name: 'edgeload-full', encrypted: true, work: { extraKeys: 100_000, rules: true } },
    true,
  ),
  // Both nodes on the proxy CPU, as the single node: the same CPU for the same load.
  'edgeload-2nodes': edgeload({ name: 'edgeload-2nodes', nodes: 2 }, true),
  // The Bun single executable, built first (`npm run build:bun`), on the same SQLite default.
  'edgeload-bun': async (upstream) => {
    buildBun()
    return edgeload({ name: 'edgeload-bun', binary: BUN_BINARY })(upstream)
  },
}

console.log(
  `edgeload bench: ${tests.map((t) => `${t} at ${SCENARIOS[t].connections}`).join(', ')} connection(s), ${warmup} s warm-up + ${duration} s per ` +
    `measurement, ${rounds} round(s); ${note}`,
)
let picks: PickRow[] = []
const upstream = await startUpstream(pin?.load ?? null, EVENTS)
const targets: Target[] = []
let redisNote = ''
/** Each process's own rows; `samples` has one per target, test and round (combineCopies). */
const perProcess: Row[] = []
const labels = new Map<Target, string>()
const copyOf = new Map<Target, number>()
const failures: string[] = []
const paired: PairSample[] = []
const named = (name: string, copy: number) =>
  targets.find((t) => t.name === name && (copyOf.get(t) ?? 1) === copy)
/** Each copied edgeload target's process N beside its base's process N, at once (paired.ts). */
const measurePairs = async (round: number) => {
  const names = [...COPIED].filter((n) => n.startsWith('edgeload') && targetNames.includes(n))
  for (const test of tests.filter((t) => PAIRED_TESTS.includes(t)))
    for (let copy = 1; copy <= copies; copy++)
      for (const name of names) {
        const target = named(name, copy)
        const base = named(pairBase(name), copy)
        if (!target || !base) continue
        const others = targets.filter((t) => t !== target && t !== base)
        signalAll(others, 'SIGSTOP')
        try {
          const m = await measurePair(target, base, (t) => specsFor(t, test), pin?.load ?? null)
          paired.push({ target: name, base: base.name, test, round, copy, ...m })
          console.log(
            `  [${round}/${rounds}] ${labels.get(target) ?? name} + ${labels.get(base) ?? base.name} ` +
              `${test}, at once: ${m.cpuUs.toFixed(0)} and ${m.baseCpuUs.toFixed(0)} µs/req ` +
              `(${(m.cpuUs / m.baseCpuUs).toFixed(2)}×), ${m.rps.toFixed(0)} and ${m.baseRps.toFixed(0)} req/s`,
          )
        } catch (err) {
          failures.push(`${name} paired with ${base.name}: ${(err as Error).message}`)
        } finally {
          signalAll(others, 'SIGCONT')
        }
      }
}
try {
  // Start every target first, so that rounds can interleave them.
  for (const name of targetNames) {
    const start = starters[name]
    if (!start) {
      failures.push(`${name}: unknown target (use ${Object.keys(starters).join(', ')})`)
      continue
    }
    try {
      for (let i = 1; i <= (COPIED.has(name) ? copies : 1); i++) {
        const target = await start(upstream.url)
        targets.push(target)
        copyOf.set(target, i)
        if (i > 1) labels.set(target, `${name}#${i}`)
      }
    } catch (err) {
      failures.push(`${name}: ${(err as Error).message}`)
      console.error(`\n✗ ${name}: ${(err as Error).message}\n`)
    }
  }
  const withRedis = targets.find((t) => t.redis)
  if (withRedis?.redis) {
    // commandstats is server-wide: say how busy Redis is with every target idle (other clients,
    // and the nodes' own background work), so the per-request counts can be judged.
    redisClient ??= new Redis(withRedis.redis.url, { maxRetriesPerRequest: 1 })
    const { prefix, groupId } = withRedis.redis
    const a = await redisCounts(redisClient, prefix, groupId)
    await new Promise((r) => setTimeout(r, 2000))
    const b = await redisCounts(redisClient, prefix, groupId)
    redisNote = `Redis ${values.redis}: ${((b.scripts - a.scripts) / 2).toFixed(0)} scripts/s server-wide with every target idle`
    console.log(redisNote)
  }
  for (const target of targets) {
    if (!target.warmRequests) continue
    // Every other target stopped meanwhile, as in a measurement.
    const others = targets.filter((t) => t !== target)
    signalAll(others, 'SIGSTOP')
    try {
      let sent = 0
      for (let i = 0; i < 20 && sent < target.warmRequests; i++)
        sent += (await measure(target, 'chat')).requests
      console.log(`  warmed ${target.name}: ${sent} requests, each key picked at least once`)
    } finally {
      signalAll(others, 'SIGCONT')
    }
  }
  // Each test is measured on every target back to back, so that the pairs a ratio compares are
  // seconds apart, not minutes; even rounds go in reverse order, so steady drift favours none.
  const order = byCopy(targets.map((target) => ({ target, copy: copyOf.get(target) ?? 1 })))
  for (let round = 1; round <= rounds; round++) {
    for (const [test, target] of tests.flatMap((test) =>
      (round % 2 ? order : [...order].reverse()).map((t) => [test, t] as const),
    )) {
      if (!targets.includes(target)) continue // failed earlier in this round
      // The other targets are stopped (SIGSTOP) meanwhile: idle nodes still poll Redis, renew
      // leases and flush logs on the proxy's CPU, which would be charged to nobody but slow the
      // measured one. Warm-up absorbs what a resumed node catches up on.
      const others = targets.filter((t) => t !== target)
      signalAll(others, 'SIGSTOP')
      try {
        const row = { ...(await measure(target, test)), round }
        perProcess.push(row)
        console.log(
          `  [${round}/${rounds}] ${labels.get(target) ?? target.name} ${test}: ${row.rps.toFixed(0)} req/s, ` +
            `p50 ${row.p50.toFixed(2)} ms, CPU ${row.cpuUs?.toFixed(0) ?? '–'} µs/req` +
            (row.sysUs == null ? '' : ` (${row.sysUs.toFixed(0)} in the kernel)`) +
            (row.redisCmds === null ? '' : `, Redis ${row.redisCmds.toFixed(3)} cmds/req`),
        )
      } catch (err) {
        failures.push(`${target.name}: ${(err as Error).message}`)
        targets.splice(targets.indexOf(target), 1)
        await target.stop()
      } finally {
        signalAll(others, 'SIGCONT')
      }
    }
    if (!values['skip-paired']) await measurePairs(round)
  }
  if (!values['skip-pick']) {
    try {
      picks = await runPicks()
    } catch (err) {
      failures.push(`key pick: ${(err as Error).message}`)
    }
  }
} finally {
  await Promise.all(targets.map((t) => t.stop()))
  await upstream.stop()
  await redisClient?.quit()
  await privateRedis?.stop()
}
const samples = combineCopies(perProcess)
const rows = toMedians(samples)

console.log(`\n${toTable(rows)}\n`)
const ratios = toRatios(rows, samples)
if (ratios) console.log(`${ratios}\n`)
const pairs = pairedMarkdown(paired)
if (pairs) console.log(`${pairs}\n`)
if (picks.length) console.log(`${pickTable(picks, connections)}\n`)
const setup =
  `${tests.map((t) => `${TESTS[t]}: ${SCENARIOS[t].connections} connection(s)`).join('; ')}; ${duration} s per measurement, median of ${rounds}` +
  (copies > 1
    ? `; ${[...COPIED].filter((n) => targetNames.includes(n)).join(', ')} as ${copies} processes each, a round taking the one with the least CPU per request`
    : '') +
  (redisNote ? `; ${redisNote}` : '')
const markdown =
  toMarkdown(rows, `_${note}; ${setup}; ratios are medians of each round's own._`, samples) +
  (pairs ? `\n\n${pairs}` : '') +
  (picks.length ? `\n\n${pickMarkdown(picks, connections)}` : '')
console.log(`Markdown for the README:\n\n${markdown}\n`)
if (values.json) {
  writeFileSync(
    values.json,
    JSON.stringify({ note, rows, samples, perProcess, paired, failures }, null, 2),
  )
}
if (values.readme) {
  const readme = new URL('../README.md', import.meta.url)
  const block = /(<!-- bench:start -->\n)[\s\S]*?(<!-- bench:end -->)/
  const text = readFileSync(readme, 'utf8')
  if (block.test(text))
    writeFileSync(
      readme,
      text.replace(block, (_, open, close) => `${open}${markdown}\n${close}`),
    )
  else failures.push('README.md has no <!-- bench:start --> … <!-- bench:end --> block')
}
if (failures.length) {
  console.error(`Failed:\n${failures.map((f) => `- ${f}`).join('\n')}`)
  process.exitCode = 1
}
