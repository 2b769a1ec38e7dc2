// npm run bench:faults: key-pool fault scenarios against fake upstreams on 127.0.0.1, each run
// with edgeload's features on and as v1 behaved; prints a Markdown table.
//   --quick            a run of seconds (shorter faults and loads)
//   --only a,b         scenario ids (see bench/faults/index.ts)
//   --readme           rewrite README.md's faults:start/faults:end block
import { readFileSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { SCENARIOS } from './faults/index'
import { replaceBlock, toMarkdown } from './faults/report'
import { runScenario } from './faults/run'
import type { FaultRow } from './faults/types'

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    readme: { type: 'boolean', default: false },
  },
})
const only = values.only?.split(',')
const chosen = SCENARIOS.filter((s) => !only || only.includes(s.id))
const quick = values.quick

const began = Date.now()
console.log(`edgeload fault bench: ${chosen.length} scenarios${quick ? ', --quick' : ''}`)
const rows: FaultRow[] = []
for (const s of chosen) {
  const t = Date.now()
  rows.push(...(await runScenario(s, quick)))
  console.log(`  ${s.id}: ${((Date.now() - t) / 1000).toFixed(1)} s`)
}
const seconds = ((Date.now() - began) / 1000).toFixed(0)
const table = toMarkdown(rows)
console.log(`\n${table}\n`)

if (values.readme) {
  const date = new Date().toISOString().slice(0, 10)
  const cmd = `npm run bench:faults${quick ? ' -- --quick' : ''}`
  const body = `_\`${cmd}\` on ${date}, Node ${process.versions.node}, ${seconds} s._\n\n${table}`
  const readme = readFileSync('README.md', 'utf8')
  const next = replaceBlock(readme, body)
  if (next === null) throw new Error('README.md has no <!-- faults:start --> block')
  writeFileSync('README.md', next)
  console.log('README.md updated')
}
// Fake upstreams may still sleep on a delayed answer that nobody waits for.
process.exit(0)
