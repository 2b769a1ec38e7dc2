// `npm run bench:scale`: the gateway at 100k keys. Times a 100k-key async import, key-list paging,
// a 10k-key group validation and proxied throughput while an import runs, each beside its direct
// twin from the same run (the store in process, plain fetches, the idle gateway).
// Flags: --keys 100000 --validate-keys 10000 --delay-ms 20 --concurrency 50 --duration 5
//        --calls 50 --connections 32
import { loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { twoCpus } from './cpu'
import { runLoad } from './load'
import { fetchWithLimit, measureStore, pagingCases, timeCalls } from './scale-direct'
import type { Timing } from './scale-direct'
import {
  createGroup,
  importKeys,
  makeKeys,
  startGateway,
  startScaleUpstream,
  waitTask,
} from './scale-procs'
import type { Gateway } from './scale-procs'
import { toScaleMarkdown } from './scale-report'
import { AUTH_KEY } from './targets'

const { values } = parseArgs({
  options: {
    keys: { type: 'string', default: '100000' },
    'validate-keys': { type: 'string', default: '10000' },
    'delay-ms': { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '50' },
    duration: { type: 'string', default: '5' },
    calls: { type: 'string', default: '50' },
    connections: { type: 'string', default: '32' },
  },
})
const nKeys = Number(values.keys)
const nValidate = Number(values['validate-keys'])
const delayMs = Number(values['delay-ms'])
const concurrency = Number(values.concurrency)
const duration = Number(values.duration)
const calls = Number(values.calls)
const connections = Number(values.connections)

const cpus = twoCpus()
const pin = cpus ? { gateway: cpus[0], load: cpus[1] } : null
const note = pin
  ? `gateway pinned to CPU ${pin.gateway}; load generator and fake upstream to CPU ${pin.load}`
  : 'not pinned (needs taskset and 2 CPUs)'
const log = (s: string) => console.log(`  ${s}`)

console.log(
  `edgeload scale bench: ${nKeys} keys, ${nValidate} to validate at ${concurrency} ` +
    `(upstream delay ${delayMs} ms), ${duration} s load at ${connections} connections; ${note}`,
)
const upstream = await startScaleUpstream(delayMs, pin?.load ?? null)
let gw: Gateway | null = null
try {
  // Direct figures first, while no gateway competes for the CPU.
  const keys = makeKeys('a', nKeys)
  const cases = pagingCases(keys)
  const direct = await measureStore(keys, cases, calls)
  await direct.close()
  log(`direct: hash ${direct.hashMs.toFixed(0)} ms, addKeys ${direct.addMs.toFixed(0)} ms`)
  const slowUrl = `${upstream.url}/slow/v1/chat/completions`
  const directValidateMs = await fetchWithLimit(slowUrl, nValidate, concurrency)
  const directStats = await stats(upstream.url)

  gw = await startGateway(pin?.gateway ?? null)
  const g = gw
  const importGroup = await createGroup(g, 'scale-import', upstream.url)
  const validateGroup = await createGroup(g, 'scale-validate', `${upstream.url}/slow`)
  const loadGroup = await createGroup(g, 'scale-load', upstream.url)
  const busyGroup = await createGroup(g, 'scale-busy', upstream.url)

  // 1. Import.
  const imported = await importKeys(g, importGroup, keys)
  log(
    `import: ${imported.ms.toFixed(0)} ms wall, task ${imported.status.duration_seconds} s, ` +
      `result ${JSON.stringify(imported.status.result)}`,
  )

  // 2. Paging over the imported group.
  const paging: Timing[] = []
  for (const c of cases) {
    const { key_value, ...rest } = c.query
    const qs = new URLSearchParams({ group_id: String(importGroup) })
    for (const [k, v] of Object.entries(rest)) qs.set(k, String(v))
    if (key_value) qs.set('key_value', key_value)
    paging.push(await timeCalls(calls, () => g.api('GET', `/api/keys?${qs}`)))
    log(`list ${c.name}: p50 ${paging.at(-1)!.p50.toFixed(1)} ms`)
  }

  // 3. Validation: keys in, concurrency set, upstream counters zeroed, then the task timed.
  await importKeys(g, validateGroup, makeKeys('v', nValidate))
  await g.api('PUT', '/api/settings', { key_validation_concurrency: concurrency })
  await fetch(`${upstream.url}/__reset`, { method: 'POST' }).then((r) => r.arrayBuffer())
  const t0 = performance.now()
  await g.api('POST', '/api/keys/validate-group', { group_id: validateGroup })
  const validated = await waitTask(g)
  const validateMs = performance.now() - t0
  const gwStats = await stats(upstream.url)
  log(
    `validate: ${validateMs.toFixed(0)} ms, ${JSON.stringify(validated.result)}, ${JSON.stringify(gwStats)}`,
  )

  // 4. Throughput idle, then while a second import runs in another group.
  await g.api('POST', '/api/keys/add-multiple', {
    group_id: loadGroup,
    keys_text: 'sk-load-1,sk-load-2',
  })
  const loadUrl = `${g.base}/proxy/scale-load/v1/chat/completions`
  await probe(loadUrl)
  const spec = {
    kind: 'chat' as const,
    url: loadUrl,
    headers: { authorization: `Bearer ${AUTH_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    connections,
    duration,
    warmup: 1,
  }
  const idle = await runLoad(spec, pin?.load ?? null, () => {})
  log(`idle: ${idle.rps.toFixed(0)} req/s`)
  // The window is kept within the idle import's time so the import covers all of it.
  const busyDuration = Math.max(1, Math.min(duration, Math.floor(imported.ms / 1000)))
  let busyImport: Promise<{ ms: number }> | null = null
  const busy = await runLoad(
    { ...spec, duration: busyDuration, warmup: 0 },
    pin?.load ?? null,
    () => {
      busyImport = importKeys(g, busyGroup, makeKeys('b', nKeys))
    },
  )
  const busyImportMs = (await busyImport!).ms
  log(`during import: ${busy.rps.toFixed(0)} req/s; that import took ${busyImportMs.toFixed(0)} ms`)

  console.log(
    `\n${toScaleMarkdown({
      // The load average shows how far other work on the machine skews the figures.
      note: `${note}; load average ${loadavg()[0].toFixed(1)} at the end`,
      nKeys,
      nValidate,
      concurrency,
      delayMs,
      connections,
      import: { ms: imported.ms, taskSeconds: imported.status.duration_seconds ?? 0 },
      directImport: { hashMs: direct.hashMs, addMs: direct.addMs },
      paging: cases.map((c, i) => ({ name: c.name, gateway: paging[i], direct: direct.paging[i] })),
      validate: { ms: validateMs, maxInFlight: gwStats.maxInFlight, requests: gwStats.requests },
      directValidate: { ms: directValidateMs, maxInFlight: directStats.maxInFlight },
      idle,
      busy: { ...busy, duration: busyDuration, importMs: busyImportMs },
    })}\n`,
  )
} catch (err) {
  console.error(`\n✗ ${(err as Error).message}\n${gw?.output() ?? ''}`)
  process.exitCode = 1
} finally {
  await gw?.stop()
  await upstream.stop()
}

async function stats(url: string) {
  const res = await fetch(`${url}/__stats`)
  const s = (await res.json()) as { requests: number; maxInFlight: number }
  await fetch(`${url}/__reset`, { method: 'POST' }).then((r) => r.arrayBuffer())
  return s
}

/** Keys reach the pool a moment after they are added; wait for one proxied 200. */
async function probe(url: string) {
  const deadline = Date.now() + 10_000
  for (;;) {
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${AUTH_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    })
    const text = await res.text()
    if (res.status === 200) return
    if (Date.now() > deadline) throw new Error(`proxy never answered 200: ${text.slice(0, 200)}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}
