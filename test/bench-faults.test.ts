// Keeps bench:faults from rotting: one scenario in --quick mode, run programmatically. Asserts
// the rows' shape and that edgeload's features do at least as well as v1 behaviour; no timing.
import { describe, expect, it } from 'vitest'
import { egressThrottle } from '../bench/faults/s4-egress-throttle'
import { runScenario } from '../bench/faults/run'
import { toMarkdown } from '../bench/faults/report'

describe('bench:faults', () => {
  it('runs the egress-throttle scenario with features on and as v1', async () => {
    const rows = await runScenario(egressThrottle, true)
    expect(rows.map((r) => r.mode)).toEqual(['edgeload', 'v1'])
    for (const r of rows) {
      expect(r.scenario).toBe(egressThrottle.title)
      expect(r.requests).toBeGreaterThan(0)
      expect(r.successRate).toBeGreaterThanOrEqual(0)
      expect(r.successRate).toBeLessThanOrEqual(1)
      expect(r.attemptsPerRequest).toBeGreaterThanOrEqual(0)
      expect(r.healthy).toBe(10)
      expect(r.penalised).toBeLessThanOrEqual(r.healthy)
      expect(r.recovery).toMatch(/^(–|> \d+\.\d s|\d+\.\d\d s)$/)
      expect(r.truncatedBytes).toBeGreaterThanOrEqual(0)
    }
    const [on, v1] = rows
    expect(on.successRate).toBeGreaterThanOrEqual(v1.successRate)
    expect(toMarkdown(rows).split('\n')).toHaveLength(4)
  })
})
