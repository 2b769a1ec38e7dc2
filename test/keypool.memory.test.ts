// Runs the KeyPool contract against the memory pool, plus what only the memory pool promises.
import { expect, it } from 'vitest'
import { createMemoryKeyPool } from '../src/keys/pool-memory'
import type { PoolKeyRow } from '../src/store/types'
import { testKeyPool } from './keypool.contract'

// 100k keys take 60–140 ms on a quiet machine; a quadratic add would take seconds.
testKeyPool('memory', async () => createMemoryKeyPool(), { bulkAddMs: 800 })

const T0 = 1_700_000_000_000
const rows = (n: number): PoolKeyRow[] =>
  Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    key_value: `sk-${i + 1}`,
    key_hash: `h${i + 1}`,
    status: 'active',
    failure_count: 0,
  }))

it('memory: picks stay O(1) with 100k keys, most of them cooling', async () => {
  const pool = createMemoryKeyPool()
  await pool.add(1, rows(100_000))
  for (let id = 1; id < 100_000; id++) {
    await pool.report(
      1,
      id,
      { kind: 'rate_limited', until: T0 + id },
      { blacklistThreshold: 3 },
      T0,
    )
  }
  const t = performance.now()
  for (let i = 0; i < 10_000; i++) expect((await pool.pick(1, T0))?.id).toBe(100_000)
  // 10k picks over a 100k pool: a scan per pick would take seconds.
  expect(performance.now() - t).toBeLessThan(500)
  expect(await pool.counts(1, T0 + 50_000)).toEqual({ active: 50_001, cooling: 49_999, invalid: 0 })
})
