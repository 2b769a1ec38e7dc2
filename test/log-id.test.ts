// Request-log ids are UUIDv7: valid UUIDs (the API and GPT-Load's clients see the same shape),
// carrying their millisecond first so they sort by time and append to the id index.
import { describe, expect, it } from 'vitest'
import { timeOrderedId } from '../src/logs/log-id'

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe('timeOrderedId', () => {
  it('is a version 7, RFC 9562 variant UUID whose first 48 bits are the millisecond', () => {
    const ms = Date.UTC(2026, 11, 4, 12, 0, 0, 123)
    const id = timeOrderedId(ms)
    expect(id).toMatch(V7)
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(ms)
  })

  it('sorts by time across milliseconds, and differs within one', () => {
    const base = Date.now()
    const ids = [base + 2, base, base + 1, base + 1000].map(timeOrderedId)
    expect([...ids].sort()).toEqual([ids[1], ids[2], ids[0], ids[3]])
    const same = new Set(Array.from({ length: 1000 }, () => timeOrderedId(base)))
    expect(same.size).toBe(1000)
  })

  it('draws every random digit afresh, across the batches of tails it makes at a time', () => {
    // 2,000 ids span several refills of the random tails; each must be new and well-formed.
    const ids = Array.from({ length: 2000 }, () => timeOrderedId(1_700_000_000_000))
    expect(new Set(ids).size).toBe(ids.length)
    for (const id of ids) expect(id).toMatch(V7)
    // Every random position takes many values, and the variant digit each of 8, 9, a and b.
    for (const at of [15, 16, 17, 20, 21, 22, 24, 30, 35]) {
      expect(new Set(ids.map((id) => id[at])).size, `position ${at}`).toBeGreaterThan(12)
    }
    expect(new Set(ids.map((id) => id[19]))).toEqual(new Set(['8', '9', 'a', 'b']))
  })

  it('holds its shape at the edges of the 48-bit clock', () => {
    expect(timeOrderedId(0)).toMatch(/^00000000-0000-7/)
    expect(timeOrderedId(-5)).toMatch(/^00000000-0000-7/)
    expect(timeOrderedId(2 ** 48 - 1)).toMatch(/^ffffffff-ffff-7/)
    expect(timeOrderedId(1.9).slice(0, 14)).toBe(timeOrderedId(1).slice(0, 14))
  })
})
