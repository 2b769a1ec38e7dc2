// `npm run bench:workers`: edgeload under `wrangler dev` (local workerd, local D1) with the
// Upstash pool (the Upstash-REST test server in front of Redis) and with the memory pool, beside
// a bare Worker that only forwards, all measured in the same run on a non-stream chat completion
// at one connection and under load. Per request: the Worker's workerd CPU time, wrangler's dev
// proxy CPU time, and Upstash commands and HTTP requests. See bench/README.md.
// Flags: --duration 5 --warmup 1 --connections 64 --rounds 3
//        --targets bare-worker,edgeload-upstash,edgeload-memory,edgeload-upstash-assets  --readme
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { dropRedisPrefix, freshRedisPrefix } from '../test/helpers/redis'
import { startUpstashServer } from '../test/helpers/upstash-server'
import { cpuMicros, twoCpus } from './cpu'
import { runLoad } from './load'
import { startUpstream } from './targets'
import type { WorkerRow } from './workers-report'
import { toWorkerMarkdown, toWorkerMedians, toWorkerTable } from './workers-report'
import type { WorkerTarget } from './workers-targets'
import { startBareWorker, startEdgeloadWorker } from './workers-targets'

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    connections: { type: 'string', default: '64' },
    rounds: { type: 'string', default: '3' },
    targets: {
      type: 'string',
      default: 'bare-worker,edgeload-upstash,edgeload-memory,edgeload-upstash-assets',
    },
    // Measure with wrangler's inspector session attached, as plain `wrangler dev` runs.
    'keep-inspector': { type: 'boolean', default: false },
    readme: { type: 'boolean', default: false },
  },
})
const duration = Number(values.duration)
const warmup = Number(values.warmup)
const rounds = Math.max(1, Number(values.rounds))
const levels = [1, Number(values.connections)]

const cpus = twoCpus()
const pin = cpus ? { proxy: cpus[0], load: cpus[1] } : null
if (pin) {
  // The Upstash-REST server runs in this process: keep it off the Workers' CPU.
  execFileSync('taskset', ['-p', '-c', String(pin.load), String(process.pid)], { stdio: 'ignore' })
}
const wranglerVersion = JSON.parse(
  readFileSync(new URL('../node_modules/wrangler/package.json', import.meta.url), 'utf8'),
).version as string
const note =
  `workerd locally under wrangler dev ${wranglerVersion}, not Cloudflare's production ` +
  `(other hardware; no edge network or isolate placement)` +
  (values['keep-inspector']
    ? `; wrangler's inspector session attached (Network events for every request)`
    : `; wrangler's inspector session closed before measuring`) +
  '; ' +
  (pin
    ? `wrangler and its workerd pinned to CPU ${pin.proxy}, load generator, fake upstream and Upstash server to CPU ${pin.load}`
    : 'not pinned (needs taskset and 2 CPUs)')

const body = JSON.stringify({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'Say hello in twenty tokens.' }],
})

const upstash = await startUpstashServer()
const prefix = freshRedisPrefix()
const measure = async (t: WorkerTarget, connections: number): Promise<WorkerRow> => {
  const counted = t.name.startsWith('edgeload-upstash')
  const snap = () => ({
    worker: cpuMicros(t.pids.worker),
    devProxy: cpuMicros(t.pids.devProxy),
    cmds: upstash.commands(),
    reqs: upstash.requests(),
  })
  let before = snap()
  const headers = { ...t.headers, 'content-type': 'application/json' }
  const spec = { kind: 'chat' as const, url: t.url, headers, body, connections, duration, warmup }
  const r = await runLoad(spec, pin?.load ?? null, () => (before = snap()))
  const after = snap()
  const per = (n: number) => (r.requests === 0 ? 0 : n / r.requests)
  return {
    target: t.name,
    connections,
    ...r,
    workerUs: per(after.worker - before.worker),
    devProxyUs: per(after.devProxy - before.devProxy),
    upstashCmds: counted ? per(after.cmds - before.cmds) : null,
    upstashReqs: counted ? per(after.reqs - before.reqs) : null,
  }
}

const opts = { cpu: pin?.proxy ?? null, detach: !values['keep-inspector'] }
const starters: Record<string, (upstream: string) => Promise<WorkerTarget>> = {
  'bare-worker': (u) => startBareWorker(u, opts),
  'edgeload-upstash': (u) =>
    startEdgeloadWorker(
      'edgeload-upstash',
      u,
      { url: upstash.url, token: upstash.token, prefix },
      opts,
    ),
  'edgeload-memory': (u) => startEdgeloadWorker('edgeload-memory', u, null, opts),
  // The deploy config as is: local dev's asset router runs in front, in the same workerd.
  'edgeload-upstash-assets': (u) =>
    startEdgeloadWorker(
      'edgeload-upstash-assets',
      u,
      { url: upstash.url, token: upstash.token, prefix },
      opts,
      true,
    ),
}

console.log(
  `edgeload Workers bench: chat at ${levels.join(' and ')} connection(s), ${warmup} s warm-up + ` +
    `${duration} s per measurement, ${rounds} round(s)\n${note}`,
)
const upstream = await startUpstream(pin?.load ?? null, 5)
const targets: WorkerTarget[] = []
// Each wrangler dev runs in its own process group, which an interrupted run would leave behind.
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    const stops = [...targets.map((t) => t.stop()), upstream.stop(), dropRedisPrefix(prefix)]
    void Promise.allSettled(stops).finally(() => process.exit(130))
  })
}
const samples: WorkerRow[] = []
const failures: string[] = []
try {
  // Started one after another: each wrangler dev bundles and boots workerd, which is CPU-heavy.
  for (const name of values.targets.split(',').map((s) => s.trim())) {
    try {
      const start = starters[name]
      if (!start) throw new Error(`unknown target (use ${Object.keys(starters).join(', ')})`)
      targets.push(await start(upstream.url))
    } catch (err) {
      failures.push(`${name}: ${(err as Error).message}`)
    }
  }
  for (let round = 1; round <= rounds; round++) {
    for (const t of targets) {
      for (const c of levels) {
        const row = await measure(t, c)
        samples.push(row)
        console.log(
          `  [${round}/${rounds}] ${t.name} c=${c}: ${row.rps.toFixed(0)} req/s, p50 ${row.p50} ms, ` +
            `workerd ${row.workerUs.toFixed(0)} µs/req, dev proxy ${row.devProxyUs.toFixed(0)} µs/req` +
            (row.upstashCmds === null
              ? ''
              : `, Upstash ${row.upstashCmds.toFixed(2)} cmds/req, ${row.upstashReqs?.toFixed(2)} HTTP/req`),
        )
      }
    }
  }
} finally {
  await Promise.all(targets.map((t) => t.stop()))
  await upstream.stop()
  await upstash.close()
  await dropRedisPrefix(prefix)
}

const rows = toWorkerMedians(samples)
console.log(`\n${toWorkerTable(rows)}\n`)
const setup =
  `chat, non-stream, warm cache; ${duration} s per measurement after ${warmup} s warm-up, ` +
  `median of ${rounds}; CPU per request is utime + stime of the process over the requests served`
const markdown = toWorkerMarkdown(rows, `_${note}; ${setup}._`)
console.log(`Markdown for the README:\n\n${markdown}\n`)
if (values.readme) {
  const readme = new URL('../README.md', import.meta.url)
  const block = /(<!-- bench-workers:start -->\n)[\s\S]*?(<!-- bench-workers:end -->)/
  const text = readFileSync(readme, 'utf8')
  if (block.test(text))
    writeFileSync(
      readme,
      text.replace(block, (_, open, close) => `${open}${markdown}\n${close}`),
    )
  else failures.push('README.md has no <!-- bench-workers:start --> … <!-- bench-workers:end -->')
}
if (failures.length) {
  console.error(`Failed:\n${failures.map((f) => `- ${f}`).join('\n')}`)
  process.exitCode = 1
}
