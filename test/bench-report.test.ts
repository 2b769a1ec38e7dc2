// Keeps `npm run bench`'s output in shape: the Redis columns, ratios for every edgeload target
// and the key-pick table. No timing.
import { describe, expect, it } from 'vitest'
import { pickMarkdown, pickTable } from '../bench/pick'
import { toMarkdown, toMedians, toRatios, toTable, type Row } from '../bench/report'

const row = (target: string, test: Row['test'], extra: Partial<Row> = {}): Row => ({
  target,
  test,
  requests: 1000,
  rps: 100,
  p50: 1,
  p99: 2,
  errors: 0,
  cpuUs: 100,
  redisCmds: null,
  picks: null,
  ...extra,
})

describe('bench report', () => {
  const rows = toMedians([
    row('direct', 'chat', { cpuUs: null, rps: 400 }),
    row('minimal', 'chat'),
    row('edgeload-redis', 'chat', { cpuUs: 150, redisCmds: 1.02, picks: 1 }),
    row('edgeload-redis', 'chat', { cpuUs: 250, redisCmds: 1.04, picks: 1 }),
  ])

  it('prints Redis cmds/req and picks/req, – without Redis', () => {
    const lines = toTable(rows).split('\n')
    expect(lines[0]).toMatch(/Redis cmds\/req\s+picks\/req\s+errors$/)
    expect(lines[3]).toMatch(/minimal .* – +– +0$/)
    expect(lines[4]).toMatch(/edgeload-redis .* 200 .* 1\.030 +1\.000 +0$/)
  })

  it('gives every edgeload target its ratios to the minimal proxy', () => {
    expect(toRatios(rows)).toContain('edgeload-redis, chat, non-stream: req/s 1.00×, CPU/req 2.00×')
    expect(toMarkdown(rows, 'note')).toContain('| 2.00× | 1.030 | 1.000 |')
  })

  it('prints the key-pick table', () => {
    const picks = [{ name: 'memory pool, 100000 keys', seqUs: 0.25, perSecond: 5e6 }]
    expect(pickTable(picks).split('\n')[2]).toMatch(/^memory pool, 100000 keys +0\.3 +5000000$/)
    expect(pickMarkdown(picks)).toContain('| memory pool, 100000 keys | 0.3 | 5000000 |')
  })
})
