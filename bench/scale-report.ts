// The scale benchmark's Markdown table: each gateway figure beside its direct twin and target.
import type { LoadResult } from './load'
import type { Timing } from './scale-direct'

export interface ScaleResult {
  note: string
  nKeys: number
  nValidate: number
  concurrency: number
  delayMs: number
  connections: number
  import: { ms: number; taskSeconds: number }
  directImport: { hashMs: number; addMs: number }
  paging: Array<{ name: string; gateway: Timing; direct: Timing }>
  validate: { ms: number; maxInFlight: number; requests: number }
  directValidate: { ms: number; maxInFlight: number }
  idle: LoadResult
  busy: LoadResult & { duration: number; importMs: number }
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`
const ms = (t: Timing) => `${t.p50.toFixed(1)} / ${t.max.toFixed(1)} ms`
const met = (ok: boolean) => (ok ? '✓' : '✗')
const k = (n: number) => (n >= 1000 ? `${n / 1000}k` : String(n))

export const toScaleMarkdown = (r: ScaleResult) => {
  const rows: string[][] = []
  rows.push([
    `import ${k(r.nKeys)} keys (add-async → task done)`,
    `${s(r.import.ms)} (task ${r.import.taskSeconds.toFixed(2)} s)`,
    `addKeys ${s(r.directImport.addMs)} + hash ${s(r.directImport.hashMs)}`,
    '≤ 10 s',
    met(r.import.ms <= 10_000),
  ])
  for (const p of r.paging) {
    rows.push([
      `list keys at ${k(r.nKeys)}: ${p.name}, p50 / max`,
      ms(p.gateway),
      `listKeys ${ms(p.direct)}`,
      '< 100 ms',
      met(p.gateway.max < 100),
    ])
  }
  const ideal = Math.ceil(r.nValidate / r.concurrency) * r.delayMs
  rows.push([
    `validate ${k(r.nValidate)} keys at concurrency ${r.concurrency}, ${r.delayMs} ms upstream`,
    `${s(r.validate.ms)}, max in flight ${r.validate.maxInFlight} / ${r.concurrency}`,
    `fetch ${s(r.directValidate.ms)} (max ${r.directValidate.maxInFlight}); ideal ${s(ideal)}`,
    // The direct twin shows what this machine's loopback HTTP allows; the ideal may be out of reach.
    '≤ 1.2× max(ideal, direct)',
    met(
      r.validate.maxInFlight === r.concurrency &&
        r.validate.ms <= 1.2 * Math.max(ideal, r.directValidate.ms),
    ),
  ])
  const ratio = r.idle.rps === 0 ? 0 : r.busy.rps / r.idle.rps
  rows.push([
    `proxied chat req/s during a ${k(r.nKeys)} import (${r.busy.duration} s window)`,
    `${r.busy.rps.toFixed(0)} req/s = ${ratio.toFixed(2)}× idle; p99 ${r.busy.p99} ms; import ${s(r.busy.importMs)}`,
    `idle ${r.idle.rps.toFixed(0)} req/s; p99 ${r.idle.p99} ms`,
    '≥ 0.8×',
    met(ratio >= 0.8 && r.busy.errors === 0),
  ])
  return [
    `_${r.note}; chat load at ${r.connections} connections; errors idle ${r.idle.errors}, during import ${r.busy.errors}._`,
    '',
    '| measurement | edgeload | direct (same run) | target | met |',
    '|---|---:|---:|---:|:---:|',
    ...rows.map((c) => `| ${c.join(' | ')} |`),
  ].join('\n')
}
