// `npm run bench:memory`: edgeload's resident memory (issue 15), pinned as `npm run bench` pins.
//   - RSS under a chat load at --connections (256): after a warm-up of --warmup s, then every
//     --every s until --requests (1,000,000) requests in all. Growth past the warm-up: the bound
//     is 5%. RSS is read every second. A single reading swings ±6% with the garbage collector's
//     timing, so each figure is the median of an interval's readings (the warm-up's: its last
//     --every s), with their range beside it.
//   - RSS of an idle node whose group holds --keys (100,000) more keys, beside one without them,
//     each after the same short load and a minute idle: the bound is 150 MB more.
// Flags: --connections 256 --warmup 60 --every 20 --requests 1000000 --keys 100000
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { twoCpus } from './cpu'
import { runLoad } from './load'
import { median } from './report'
import { sleep } from './procs'
import { startEdgeload, startUpstream, type Target } from './targets'

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '256' },
    warmup: { type: 'string', default: '60' },
    every: { type: 'string', default: '20' },
    requests: { type: 'string', default: '1000000' },
    keys: { type: 'string', default: '100000' },
  },
})
const connections = Number(values.connections)
/** Seconds each idle node is watched before its RSS is read. */
const IDLE_S = 60
const cpus = twoCpus()
const pin = cpus ? { proxy: cpus[0], load: cpus[1] } : null
const body = JSON.stringify({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'Say hello in twenty tokens.' }],
})

/** Resident set size of `pid` in MB, from /proc. */
const rssMb = (pid: number) => {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m)
  if (!line) throw new Error(`no VmRSS for ${pid}`)
  return Number(line[1]) / 1024
}

/** Runs `work` while reading `pid`'s RSS every second. */
const sampling = async <T>(pid: number, work: Promise<T>) => {
  const readings: number[] = []
  const timer = setInterval(() => readings.push(rssMb(pid)), 1000)
  try {
    return { result: await work, readings }
  } finally {
    clearInterval(timer)
  }
}

const describe = (xs: number[]) =>
  `${median(xs).toFixed(1)} MB (median of ${xs.length} readings, ${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)})`

const load = (t: Target, seconds: number, conns = connections) =>
  runLoad(
    {
      kind: 'chat',
      url: t.urls[0]!,
      headers: t.headers,
      body,
      connections: conns,
      duration: seconds,
      warmup: 1,
    },
    pin?.load ?? null,
    () => {},
  )

// v1's default cap is 100 requests at once; past it, requests get 429 by design.
const env = { MAX_CONCURRENT_REQUESTS: String(connections * 2) }
const upstream = await startUpstream(pin?.load ?? null, 20)
const started: Target[] = []
try {
  // 1. Flat under load.
  const node = await startEdgeload(upstream.url, pin?.proxy ?? null, { name: 'edgeload', env })
  started.push(node)
  const pid = node.pids[0]!
  console.log(`RSS idle after start: ${rssMb(pid).toFixed(1)} MB`)
  const every = Number(values.every)
  const first = await sampling(pid, load(node, Number(values.warmup)))
  let total = first.result.requests
  let errors = first.result.errors
  const warmReadings = first.readings.slice(-every)
  const warm = median(warmReadings)
  console.log(
    `after ${values.warmup} s at c=${connections} (${total} requests): ${describe(warmReadings)}`,
  )
  let peak = Math.max(...first.readings)
  let last = warmReadings
  while (total < Number(values.requests)) {
    const { result: r, readings } = await sampling(pid, load(node, every))
    total += r.requests
    errors += r.errors
    peak = Math.max(peak, ...readings)
    last = readings
    console.log(
      `  ${total} requests: ${describe(readings)}${r.errors ? ` (${r.errors} errors)` : ''}`,
    )
  }
  const end = median(last)
  const growth = ((end - warm) / warm) * 100
  console.log(
    `after ${total} requests: ${end.toFixed(1)} MB, ${growth >= 0 ? '+' : ''}${growth.toFixed(1)}% ` +
      `past the warm-up (medians; peak reading ${peak.toFixed(1)} MB); bound +5%: ${growth <= 5 ? 'holds' : 'exceeded'}; ` +
      `${errors} errors`,
  )
  await node.stop()
  started.pop()

  // 2. What the keys cost, idle, each node after the same short load.
  const keys = Number(values.keys)
  const plain = await startEdgeload(upstream.url, pin?.proxy ?? null, { name: 'plain', env })
  started.push(plain)
  const many = await startEdgeload(upstream.url, pin?.proxy ?? null, {
    name: 'keys',
    env,
    work: { extraKeys: keys },
  })
  started.push(many)
  for (const t of [plain, many]) await load(t, 5, 64)
  const idle: number[][] = [[], []]
  for (let s = 0; s < IDLE_S; s++) {
    await sleep(1000)
    idle[0]!.push(rssMb(plain.pids[0]!))
    idle[1]!.push(rssMb(many.pids[0]!))
  }
  const [a, b] = idle.map((xs, i) => {
    const settled = median(xs.slice(-5))
    // V8's memory reducer shrinks an idle heap some 20-40 s after the load stops; a reading taken
    // before it ran once showed +179 MB for keys that settle at +45.
    const shrunk = xs.findIndex((x) => x < xs[0]! * 0.9)
    console.log(
      `  ${i ? 'with' : 'without'} the keys: ${xs[0]!.toFixed(1)} MB 1 s after the load, ` +
        `${settled.toFixed(1)} MB after ${IDLE_S} s idle (median of the last 5 readings` +
        `${shrunk >= 0 ? `; the heap shrank at ${shrunk + 1} s` : ''})`,
    )
    return settled
  }) as [number, number]
  console.log(
    `idle after a 5 s load and ${IDLE_S} s: ${a.toFixed(1)} MB without, ${b.toFixed(1)} MB with ${keys} more keys: ` +
      `+${(b - a).toFixed(1)} MB; bound +150 MB: ${b - a <= 150 ? 'holds' : 'exceeded'}`,
  )
} finally {
  await Promise.all(started.map((t) => t.stop()))
  await upstream.stop()
}
