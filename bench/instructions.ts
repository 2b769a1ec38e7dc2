// Instructions per request under valgrind's callgrind: the same count from run to run, for
// comparing commits on a machine whose speed swings. Userland only (no kernel time), and each
// process runs tens of times slower: ratios of work, not speeds (`npm run bench` is the speed).
// Run: npm run bench:instructions -- --targets minimal,minimal-hono,minimal-hono-logged,edgeload
//      (or a variant: edgeload-rules, edgeload-sealed, edgeload-100k) --tests chat,big
//      [--n 2000] [--warm 10000] [--connections 1] [--edgeload-dir OTHER_CHECKOUT] [--keep DIR]
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { Agent } from 'undici'
import { callgrindArgv, callgrindControl, lastDumpFile } from './callgrind'
import {
  AUTH_KEY,
  BENCH_ENCRYPTION_KEY,
  configure,
  PROXY_PATH,
  proxiesOk,
  VARIANTS,
} from './configure'
import { freePort, sleep, spawnPinned, waitFor } from './procs'
import { startUpstream, YARDSTICK_NODE_ARGS } from './targets'

const { values } = parseArgs({
  options: {
    targets: { type: 'string', default: 'minimal,minimal-hono,edgeload' },
    tests: { type: 'string', default: 'chat' },
    n: { type: 'string', default: '2000' },
    warm: { type: 'string', default: '10000' },
    // One at a time: each request then takes the same path, whatever the timing.
    connections: { type: 'string', default: '1' },
    'edgeload-dir': { type: 'string' },
    // A folder to keep each measured dump in (TARGET-TEST.cg), for callgrind_annotate.
    keep: { type: 'string' },
  },
})
const N = Number(values.n)
const WARM = Number(values.warm)
const C = Number(values.connections)
const ROOT = join(import.meta.dirname, '..')
const TESTS = ['chat', 'stream', 'big']

const bodyOf = (test: string) =>
  JSON.stringify({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: test === 'big' ? 'x'.repeat(1 << 20) : 'Say hello.' }],
    ...(test === 'stream' && { stream: true }),
  })

/** `n` requests over C connections; the count of answers that were not a 200 with a body. */
const drive = async (url: string, headers: Record<string, string>, body: string, n: number) => {
  const agent = new Agent({ connections: C })
  let next = 0
  let bad = 0
  await Promise.all(
    Array.from({ length: C }, async () => {
      while (next++ < n) {
        const res = await fetch(url, { method: 'POST', headers, body, dispatcher: agent } as never)
        const got = await res.arrayBuffer()
        if (res.status !== 200 || got.byteLength === 0) bad++
      }
    }),
  )
  await agent.close()
  return bad
}

interface Row {
  target: string
  test: string
  perRequest: number
  /** The parts of perRequest that V8's compilers and its garbage collector executed. */
  compiler: number
  gc: number
  raw: number
  idlePerSecond: number
  /** The rest (neither compiling nor collecting): per request before the idle rate, and that rate. */
  rawRest: number
  idleRestPerSecond: number
  errors: number
}

const measure = async (target: string, test: string, upstream: string): Promise<Row> => {
  const dir = mkdtempSync(join(tmpdir(), 'edgeload-cg-'))
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const edgeload = target.startsWith('edgeload')
  const variant = VARIANTS[target] ?? {}
  const cwd = edgeload ? (values['edgeload-dir'] ?? ROOT) : ROOT
  const file = edgeload
    ? ['adapters/node/start.mjs']
    : [
        ...YARDSTICK_NODE_ARGS,
        '--import',
        'tsx',
        target.startsWith('minimal-hono') ? `bench/${target}.ts` : 'bench/minimal-proxy.ts',
      ]
  const env = {
    HOST: '127.0.0.1',
    PORT: String(port),
    AUTH_KEY,
    DATABASE_DSN: join(dir, 'bench.db'),
    LOG_LEVEL: 'warn',
    UPSTREAM: upstream,
    ...(variant.encrypted && { ENCRYPTION_KEY: BENCH_ENCRYPTION_KEY }),
  }
  // Importing 100,000 keys takes more than 5 minutes under callgrind: a plain process imports
  // them into the database first, and the profiled one loads them at start.
  const imported = variant.work?.extraKeys !== undefined
  if (imported) {
    const plain = spawnPinned([process.execPath, ...file], { cwd, env, cpu: 0, graceMs: 10_000 })
    try {
      await waitFor(plain, `${base}/health`, (s) => s === 200, 120_000)
      await configure(base, upstream, variant.work)
    } finally {
      await plain.stop()
    }
  }
  const proc = spawnPinned(callgrindArgv(dir, process.execPath, file), {
    cwd,
    env,
    cpu: 0,
    graceMs: 30_000,
  })
  try {
    // Start-up under callgrind takes a minute or more.
    // 100,000 keys load into the pool after /health answers; /health/ready waits for them.
    const ready = imported
      ? `${base}/health/ready`
      : edgeload
        ? `${base}/health`
        : `${base}/v1/models`
    await waitFor(proc, ready, (s) => !edgeload || s === 200, 600_000)
    if (imported) await proxiesOk(base)
    else if (edgeload) await configure(base, upstream, variant.work)
    const url = edgeload ? base + PROXY_PATH : `${base}/v1/chat/completions`
    const key = edgeload ? AUTH_KEY : 'sk-bench-direct'
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' }
    const body = bodyOf(test)
    const cg = callgrindControl(proc.child.pid!, dir, env)
    let errors = await drive(url, headers, body, WARM)
    // The warm-up's log rows are written on the writer's next 2 s tick.
    await sleep(3000)
    // Timers run while idle too, and tens of times slower each request spans more of them: their
    // rate is measured and taken off.
    cg.zero()
    let t = Date.now()
    await sleep(10_000)
    const idle = await cg.dump()
    const idleSeconds = (Date.now() - t) / 1000
    cg.zero()
    t = Date.now()
    errors += await drive(url, headers, body, N)
    await sleep(3000)
    const raw = await cg.dump()
    if (values.keep) copyFileSync(lastDumpFile(dir), join(values.keep, `${target}-${test}.cg`))
    const seconds = (Date.now() - t) / 1000
    const net = (n: number, idleN: number) => (n - (idleN / idleSeconds) * seconds) / N
    return {
      target,
      test,
      perRequest: net(raw.total, idle.total),
      compiler: net(raw.compiler, idle.compiler),
      gc: net(raw.gc, idle.gc),
      raw: raw.total / N,
      idlePerSecond: idle.total / idleSeconds,
      rawRest: (raw.total - raw.compiler - raw.gc) / N,
      idleRestPerSecond: (idle.total - idle.compiler - idle.gc) / idleSeconds,
      errors,
    }
  } finally {
    await proc.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

const targets = values.targets.split(',').map((s) => s.trim())
const tests = values.tests.split(',').map((s) => s.trim())
for (const t of tests) if (!TESTS.includes(t)) throw new Error(`unknown test ${t} (use ${TESTS})`)
for (const t of targets)
  if (!['minimal', 'minimal-hono', 'minimal-hono-logged', 'edgeload'].includes(t) && !VARIANTS[t])
    throw new Error(`unknown target ${t}`)
try {
  execFileSync('valgrind', ['--version'], { stdio: 'ignore' })
} catch {
  console.error('valgrind is not installed (Debian: apt-get install valgrind)')
  process.exit(1)
}

if (values.keep) mkdirSync(values.keep, { recursive: true })
const upstream = await startUpstream(1, 20)
const rows: Row[] = []
try {
  for (const test of tests)
    for (const target of targets) {
      const row = await measure(target, test, upstream.url)
      rows.push(row)
      console.log(
        `  ${target} ${test}: ${Math.round(row.perRequest)} instructions/request, ` +
          `${Math.round(row.compiler)} of them V8's compilers and ${Math.round(row.gc)} its ` +
          `garbage collector ` +
          `(${Math.round(row.raw)} before ${Math.round(row.idlePerSecond)}/s of idle work), ` +
          `the rest ${Math.round(row.rawRest)} before ${Math.round(row.idleRestPerSecond)}/s, ` +
          `${row.errors} errors`,
      )
    }
} finally {
  await upstream.stop()
}
// The code's own cost: what a request takes without V8 compiling or collecting, which repeats
// from run to run (bench/callgrind.ts says why those two do not). The ratios are of this figure.
const rest = (r: Row) => r.perRequest - r.compiler - r.gc
const find = (target: string, test: string) => {
  const r = rows.find((x) => x.target === target && x.test === test)
  return r && rest(r)
}
console.log(`\n${N} requests at ${C} connections after ${WARM} to warm up, under callgrind\n`)
console.log(
  '| target | test | instructions/request | V8 compiling | garbage collection | the rest | ' +
    'vs minimal | vs minimal-hono | vs edgeload | errors |',
)
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|')
for (const r of rows) {
  const vs = (y: number | undefined) =>
    y && r.target !== 'minimal' ? `${(rest(r) / y).toFixed(2)}×` : '–'
  const vsHono = find('minimal-hono', r.test)
  console.log(
    `| ${r.target} | ${r.test} | ${Math.round(r.perRequest)} | ${Math.round(r.compiler)} | ` +
      `${Math.round(r.gc)} | ` +
      `${Math.round(rest(r))} | ${vs(find('minimal', r.test))} | ` +
      `${r.target.startsWith('edgeload') || r.target === 'minimal-hono-logged' ? vs(vsHono) : '–'} | ` +
      `${VARIANTS[r.target] ? vs(find('edgeload', r.test)) : '–'} | ` +
      `${r.errors} |`,
  )
}
if (rows.some((r) => r.errors > 0)) process.exitCode = 1
