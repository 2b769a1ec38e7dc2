// Rate-limit signals inside workerd: the Pacific-time day boundary behind a Gemini per-day quota
// needs the runtime's time-zone data, and the earliest-reset answer the memory pool gives.
import { describe, expect, it } from 'vitest'
import { geminiResetAt, nextPacificMidnight } from '../../src/channels/gemini-quota'
import { createMemoryKeyPool } from '../../src/keys/pool-memory'

describe('rate limits in workerd', () => {
  it('finds the next Pacific midnight in winter and summer time', () => {
    expect(nextPacificMidnight(Date.UTC(2026, 11, 4, 15, 30))).toBe(Date.UTC(2026, 11, 5, 8))
    expect(nextPacificMidnight(Date.UTC(2026, 6, 1, 6, 59, 59))).toBe(Date.UTC(2026, 6, 1, 7))
  })

  it('reads RetryInfo from a Gemini 429 body', () => {
    const now = Date.UTC(2026, 11, 4, 12)
    const body = JSON.stringify({
      error: {
        code: 429,
        details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '43s' }],
      },
    })
    expect(geminiResetAt(new Headers(), now, body)).toBe(now + 43_000)
  })

  it('tells the earliest reset of a cooling pool', async () => {
    const pool = createMemoryKeyPool()
    const row = (id: number) => ({
      id,
      key_value: `sk-${id}`,
      key_hash: `h${id}`,
      status: 'active' as const,
      failure_count: 0,
    })
    await pool.add(1, [row(1), row(2)])
    await pool.report(1, 1, { kind: 'rate_limited', until: 9000 }, { blacklistThreshold: 3 }, 0)
    await pool.report(1, 2, { kind: 'rate_limited', until: 4000 }, { blacklistThreshold: 3 }, 0)
    expect(await pool.pick(1, 0)).toBeNull()
    expect(await pool.earliestReset(1, 0)).toBe(4000)
  })
})
