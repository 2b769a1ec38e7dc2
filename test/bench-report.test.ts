// Keeps `npm run bench`'s output in shape: the Redis columns, ratios for every edgeload target
// and the key-pick table. No timing.
import { describe, expect, it } from 'vitest'
import { pickMarkdown, pickTable } from '../bench/pick'
import { combineCopies, toMarkdown, toMedians, toRatios, toTable, type Row } from '../bench/report'

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

  it('sets the stack floor beside the minimal proxy, and the plain node beside it', () => {
    const floors = toMedians([
      row('minimal', 'chat'),
      row('minimal-hono', 'chat', { cpuUs: 120 }),
      row('edgeload', 'chat', { cpuUs: 150 }),
    ])
    const ratios = toRatios(floors)
    expect(ratios).toContain('minimal-hono, chat, non-stream: req/s 1.00×, CPU/req 1.20×')
    expect(ratios).toContain('(vs minimal-hono: CPU/req 1.25×, req/s 1.00×)')
    expect(ratios).not.toMatch(/minimal-hono, chat[^\n]*\(vs /)
    expect(toMarkdown(floors, 'note')).toMatch(/\| minimal-hono \|[^\n]*\| 1\.20× \|/)
  })

  it("takes a ratio as the median of each round's own, so drift between rounds cancels", () => {
    // The machine slows down over three rounds; edgeload costs 0.9× the minimal proxy in each.
    const samples = [100, 200, 300].flatMap((cpuUs, i) => [
      row('minimal', 'chat', { cpuUs, round: i + 1 }),
      row('edgeload', 'chat', { cpuUs: cpuUs * 0.9, round: i + 1, rps: 90 }),
    ])
    // Unpaired, round 3's edgeload (270) beside round 2's minimal (200) would read 1.35×.
    const shifted = samples.map((s) =>
      s.target === 'edgeload' && s.round === 2 ? { ...s, cpuUs: 270 * 1.2 } : s,
    )
    const median = toMedians(shifted)
    expect(toRatios(median)).toContain('edgeload, chat, non-stream: req/s 0.90×, CPU/req 1.35×')
    expect(toRatios(median, shifted)).toContain(
      'edgeload, chat, non-stream: req/s 0.90×, CPU/req 0.90×',
    )
    expect(toMarkdown(median, 'note', shifted)).toContain('| 0.90× |')
  })

  it("takes each round's cheapest process of a target that ran as several, whole", () => {
    // Two of three yardstick processes settled in the slow state; one in the fast.
    const perProcess = [
      row('minimal', 'chat', { cpuUs: 120, rps: 80, round: 1 }),
      row('minimal', 'chat', { cpuUs: 85, rps: 115, round: 1 }),
      row('minimal', 'chat', { cpuUs: 115, rps: 85, round: 1 }),
      row('edgeload', 'chat', { cpuUs: 106, round: 1 }),
      row('minimal', 'chat', { cpuUs: 118, round: 2 }),
      row('minimal', 'chat', { cpuUs: 86, round: 2 }),
    ]
    const rounds = combineCopies(perProcess)
    expect(rounds.map((r) => [r.target, r.round, r.cpuUs, r.rps])).toEqual([
      ['minimal', 1, 85, 115],
      ['edgeload', 1, 106, 100],
      ['minimal', 2, 86, 100],
    ])
    expect(toRatios(toMedians(rounds), rounds)).toContain('CPU/req 1.25×')
  })

  it('prints the key-pick table', () => {
    const picks = [{ name: 'memory pool, 100000 keys', seqUs: 0.25, perSecond: 5e6 }]
    expect(pickTable(picks).split('\n')[2]).toMatch(/^memory pool, 100000 keys +0\.3 +5000000$/)
    expect(pickMarkdown(picks)).toContain('| memory pool, 100000 keys | 0.3 | 5000000 |')
  })
})
