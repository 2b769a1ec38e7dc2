// The bench's paired CPU measurement: two proxies under load at once, each with its own figures,
// and the summary that the README's table shows. Real proxies on loopback; no timing asserted.
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LoadSpec } from '../bench/load'
import { measurePair, pairBase, pairedMarkdown, type PairSample } from '../bench/paired'
import { startMinimal, YARDSTICK_NODE_ARGS, type Target } from '../bench/targets'
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream'

const sample = (round: number, copy: number, cpuUs: number, baseCpuUs: number): PairSample => ({
  target: 'edgeload',
  base: 'minimal',
  test: 'chat',
  round,
  copy,
  cpuUs,
  baseCpuUs,
  rps: 100,
  baseRps: 100,
  errors: 0,
})

describe('bench paired summary', () => {
  it('gives the median of every pair, each round’s median and the range', () => {
    const md = pairedMarkdown([
      sample(1, 1, 90, 100),
      sample(1, 2, 120, 100),
      sample(1, 3, 100, 100),
      sample(2, 1, 80, 100),
      sample(2, 2, 110, 100),
      sample(2, 3, 70, 100),
    ])
    // Ratios 0.9, 1.2, 1.0 | 0.8, 1.1, 0.7: all six's median 0.95; rounds 1.00 and 0.80.
    expect(md).toContain(
      '| edgeload | minimal | chat, non-stream | 0.95× | 1.00×, 0.80× | 0.70×–1.20× | 6 | 95 / 100 | 0 |',
    )
  })

  it('prints nothing without pairs', () => {
    expect(pairedMarkdown([])).toBe('')
  })

  it('sets the plain node beside the bare proxy and each variant beside the plain node', () => {
    expect(pairBase('edgeload')).toBe('minimal')
    expect(pairBase('edgeload-100k')).toBe('edgeload')
  })
})

describe('bench paired measurement', () => {
  let upstream: FakeUpstream
  let a: Target
  let b: Target
  beforeAll(async () => {
    upstream = await startFakeUpstream({ behaviours: { default: { events: 3 } } })
    a = await startMinimal(upstream.url, null)
    b = await startMinimal(upstream.url, null, 'minimal-buffered')
  }, 30_000)
  afterAll(async () => {
    await a?.stop()
    await b?.stop()
    await upstream?.close()
  })

  it('runs the yardsticks without V8 allocation-site pretenuring', () => {
    for (const t of [a, b]) {
      const argv = readFileSync(`/proc/${t.pids[0]}/cmdline`, 'utf8').split('\0')
      expect(argv).toEqual(expect.arrayContaining(YARDSTICK_NODE_ARGS))
    }
  })

  it('loads both at once and gives each its own CPU per request', async () => {
    const specs = (t: Target): LoadSpec[] => [
      {
        kind: 'chat',
        url: t.urls[0]!,
        headers: { ...t.headers, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
        connections: 2,
        duration: 1,
        warmup: 0,
      },
    ]
    const seenBefore = upstream.requests.length
    const m = await measurePair(a, b, specs, null)
    expect(m.errors).toBe(0)
    expect(m.rps).toBeGreaterThan(0)
    expect(m.baseRps).toBeGreaterThan(0)
    expect(m.cpuUs).toBeGreaterThan(0)
    expect(m.baseCpuUs).toBeGreaterThan(0)
    expect(Number.isFinite(m.cpuUs) && Number.isFinite(m.baseCpuUs)).toBe(true)
    // Both were loaded: the upstream saw requests from each proxy's window.
    expect(upstream.requests.length - seenBefore).toBeGreaterThan(m.rps)
  }, 30_000)
})
