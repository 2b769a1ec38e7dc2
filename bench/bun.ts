// `npm run bench:bun`: the Bun single executable beside Node's gateway, measured in one run.
//   - size of dist/edgeload (built first with `npm run build:bun`);
//   - start-up to the first served request: from spawn in an empty folder (first start: the
//     database is created and migrated, auth.key generated) until GET /health answers 200, for
//     the binary, for `npm start`'s compiled dist/node/main.mjs and, as floors, for the fixed
//     stack alone (bench/minimal-hono.ts, compiled the same way, until its first forwarded
//     request answers) and a bare node:http server, median of --starts runs;
//   - proxy throughput and CPU per request for a small non-stream chat completion at each of
//     --connections (1 and 64 by default) against the fake upstream on loopback, for the
//     upstream itself (`direct`), Node's gateway and the binary, pinned as `npm run bench` pins.
// Flags: --duration 10 --warmup 2 --connections 1,64 --starts 5 --json out.json
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { build } from 'esbuild'
import { cpuMicros, twoCpus } from './cpu'
import { runLoad } from './load'
import { median } from './report'
import { AUTH_KEY, directTarget, startEdgeload, startUpstream, type Target } from './targets'
import { spawnPinned, freePort } from './procs'

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '1,64' },
    starts: { type: 'string', default: '5' },
    json: { type: 'string' },
  },
})
const ROOT = fileURLToPath(new URL('..', import.meta.url))
const BINARY = join(ROOT, 'dist/edgeload')
const NODE_MAIN = join(ROOT, 'dist/node/main.mjs')
const cpus = twoCpus()
const pin = cpus ? { proxy: cpus[0], load: cpus[1] } : null

const run = (argv: string[]) => {
  const r = spawnSync(argv[0], argv.slice(1), { cwd: ROOT, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stdout}\n${r.stderr}`)
}

/** ms from spawn in an empty folder until `path` answers 200 (any status when `anyStatus`). */
const startUpMs = async (
  argv: string[],
  extraEnv: Record<string, string>,
  path = '/health',
  anyStatus = false,
): Promise<number> => {
  const dir = mkdtempSync(join(tmpdir(), 'edgeload-start-'))
  const port = await freePort()
  const started = performance.now()
  const proc = spawnPinned(argv, {
    cwd: dir,
    env: { PORT: String(port), HOST: '127.0.0.1', AUTH_KEY, LOG_LEVEL: 'warn', ...extraEnv },
    cpu: pin?.proxy ?? null,
    graceMs: 3000,
  })
  try {
    for (;;) {
      if (proc.child.exitCode !== null) throw new Error(`exited: ${proc.output()}`)
      if (performance.now() - started > 20_000) throw new Error(`no answer: ${proc.output()}`)
      try {
        const res = await fetch(`http://127.0.0.1:${port}${path}`)
        await res.arrayBuffer()
        if (res.status === 200 || anyStatus) return performance.now() - started
      } catch {
        // Not listening yet.
      }
      await new Promise((r) => setTimeout(r, 2))
    }
  } finally {
    await proc.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

const chatBody = JSON.stringify({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'Say hello in twenty tokens.' }],
})

interface Row {
  target: string
  connections: number
  rps: number
  p50: number
  p99: number
  cpuUs: number | null
  errors: number
}

const measure = async (target: Target, connections: number): Promise<Row> => {
  const cpu = () => target.pids.reduce((sum, pid) => sum + cpuMicros(pid), 0)
  let before = 0
  const r = await runLoad(
    {
      kind: 'chat',
      url: target.urls[0],
      headers: { ...target.headers, 'content-type': 'application/json' },
      body: chatBody,
      connections,
      duration: Number(values.duration),
      warmup: Number(values.warmup),
    },
    pin?.load ?? null,
    () => (before = cpu()),
  )
  const cpuUs = target.pids.length && r.requests ? (cpu() - before) / r.requests : null
  return { target: target.name, connections, ...r, cpuUs }
}

console.log('building dist/edgeload and dist/node/main.mjs …')
run([process.execPath, join(ROOT, 'adapters/bun/build.mjs')])
run([process.execPath, join(ROOT, 'adapters/node/start.mjs'), '--build-only'])
// The fixed stack's floor: bench/minimal-hono.ts (Hono, @hono/node-server and the adapter's
// undici parts, none of the gateway's work), compiled into one file as `npm start` compiles.
const MINIMAL_HONO = join(ROOT, 'dist/bench/minimal-hono.mjs')
await build({
  entryPoints: [join(ROOT, 'bench/minimal-hono.ts')],
  outfile: MINIMAL_HONO,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // undici's CommonJS files require Node's built-ins.
  banner: {
    js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  },
  logLevel: 'warning',
})
const sizeMb = statSync(BINARY).size / 1024 / 1024
console.log(`binary: ${sizeMb.toFixed(1)} MiB`)

const starts = Number(values.starts)
// The floor: Node itself, answering every request with a bare node:http server.
const BARE_NODE = [
  process.execPath,
  '-e',
  "require('node:http').createServer((q, s) => s.end('ok')).listen(+process.env.PORT, process.env.HOST)",
]
// Node parses every certificate in NODE_EXTRA_CA_CERTS as it starts (a system bundle
// costs Node ~40 ms); where the shell sets it, starts are also timed without it, as the image runs.
const envs: Array<[string, Record<string, string>]> = [['as this shell runs them', {}]]
if (process.env.NODE_EXTRA_CA_CERTS)
  envs.push(['with NODE_EXTRA_CA_CERTS unset', { NODE_EXTRA_CA_CERTS: '' }])
type Starts = { bun: number[]; node: number[]; hono: number[]; bare: number[] }
// minimal-hono forwards every request: its first served one is the fake upstream's answer (a
// 401 without a key).
const upstream = await startUpstream(pin?.load ?? null, 20)
const startUp: Record<string, Starts> = {}
const timeStarts = async (label: string, env: Record<string, string>) => {
  const s = (startUp[label] ??= { bun: [], node: [], hono: [], bare: [] })
  s.bun.push(await startUpMs([BINARY], env))
  s.node.push(await startUpMs([process.execPath, NODE_MAIN], env))
  const honoEnv = { ...env, UPSTREAM: upstream.url }
  s.hono.push(await startUpMs([process.execPath, MINIMAL_HONO], honoEnv, '/v1/models', true))
  s.bare.push(await startUpMs(BARE_NODE, env))
}
try {
  for (let i = 0; i < starts; i++) for (const [label, env] of envs) await timeStarts(label, env)
} catch (err) {
  await upstream.stop()
  throw err
}
const startUpText = Object.entries(startUp)
  .map(
    ([label, s]) =>
      `${label}, ${median(s.bun).toFixed(0)} ms for the binary, ${median(s.node).toFixed(0)} ms ` +
      `for \`npm start\`'s compiled dist/node/main.mjs, ${median(s.hono).toFixed(0)} ms for the ` +
      `fixed stack alone (minimal-hono, compiled), ${median(s.bare).toFixed(0)} ms for a bare ` +
      `node:http server`,
  )
  .join('; ')
console.log(`start-up to first served request (median of ${starts}): ${startUpText}`)

const targets: Target[] = [directTarget(upstream.url)]
const rows: Row[] = []
try {
  targets.push(await startEdgeload(upstream.url, pin?.proxy ?? null, { name: 'node' }))
  targets.push(
    await startEdgeload(upstream.url, pin?.proxy ?? null, { name: 'bun binary', binary: BINARY }),
  )
  for (const c of values.connections.split(',').map(Number)) {
    for (const t of targets) {
      const row = await measure(t, c)
      rows.push(row)
      console.log(
        `  ${t.name} c=${c}: ${row.rps.toFixed(0)} req/s, p50 ${row.p50.toFixed(2)} ms, ` +
          `CPU ${row.cpuUs?.toFixed(0) ?? '–'} µs/req, ${row.errors} errors`,
      )
    }
  }
} finally {
  await Promise.all(targets.map((t) => t.stop()))
  await upstream.stop()
}

const note = pin
  ? `proxy pinned to CPU ${pin.proxy}; load generator and fake upstream to CPU ${pin.load}`
  : 'not pinned (needs taskset and 2 CPUs)'
const line = (r: Row) =>
  `| ${r.target} | ${r.connections} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.cpuUs?.toFixed(0) ?? '–'} | ${r.errors} |`
const markdown = [
  `Binary: ${sizeMb.toFixed(1)} MiB. Start-up to the first served request, in an empty folder ` +
    `(median of ${starts}), ${startUpText}.`,
  '',
  '| target | connections | req/s | p50 ms | p99 ms | CPU µs/req | errors |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map(line),
  '',
  `_Small non-stream chat completion; ${values.warmup} s warm-up + ${values.duration} s per row; ${note}._`,
].join('\n')
console.log(`\n${markdown}\n`)
if (values.json) {
  writeFileSync(values.json, JSON.stringify({ note, sizeMb, startUp, rows }, null, 2))
}
