// Bulk inserts bind their rows as JSON text (packJsonRows): one part while the batch fits, parts
// of at most maxChars past that, and never a lone surrogate that json_each would store as bad UTF-8.
import { describe, expect, it } from 'vitest'
import { packJsonRows } from '../src/store/sql-util'

const rows = Array.from({ length: 50 }, (_, i) => ({ id: `id-${i}`, n: i }))
const toRow = (r: { id: string; n: number }) => [r.id, r.n]

describe('packJsonRows', () => {
  it('packs nothing for no rows', () => {
    expect(packJsonRows([], toRow, 1000)).toEqual([])
  })

  it('gives a batch that fits as one JSON array of rows', () => {
    const parts = packJsonRows(rows, toRow, 1_000_000)
    expect(parts).toHaveLength(1)
    expect(JSON.parse(parts[0]!)).toEqual(rows.map(toRow))
  })

  it('splits a batch past maxChars into parts that each fit, rows in order', () => {
    const parts = packJsonRows(rows, toRow, 100)
    expect(parts.length).toBeGreaterThan(5)
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(100)
    expect(parts.flatMap((p) => JSON.parse(p) as unknown[])).toEqual(rows.map(toRow))
  })

  it('replaces lone surrogates with U+FFFD, whole batch or split', () => {
    const bad = [...rows, { id: 'gpt-\ud83d', n: 99 }]
    for (const max of [1_000_000, 100]) {
      const parts = packJsonRows(bad, toRow, max)
      const out = parts.flatMap((p) => JSON.parse(p) as unknown[][])
      expect(out.at(-1)).toEqual(['gpt-\ufffd', 99])
      expect(parts.join('')).not.toMatch(/\\ud[89a-f]/)
    }
  })
})
