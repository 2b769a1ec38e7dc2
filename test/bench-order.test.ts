import { describe, expect, it } from 'vitest'
import { byCopy } from '../bench/order'

describe('bench: the order a round measures its targets in', () => {
  it('spreads each target’s processes over the round: first copies, then second, then third', () => {
    const items = [
      { target: 'direct', copy: 1 },
      { target: 'minimal', copy: 1 },
      { target: 'minimal#2', copy: 2 },
      { target: 'minimal#3', copy: 3 },
      { target: 'edgeload', copy: 1 },
      { target: 'edgeload#2', copy: 2 },
      { target: 'edgeload#3', copy: 3 },
      { target: 'edgeload-bun', copy: 1 },
    ]
    expect(byCopy(items)).toEqual([
      'direct',
      'minimal',
      'edgeload',
      'edgeload-bun',
      'minimal#2',
      'edgeload#2',
      'minimal#3',
      'edgeload#3',
    ])
  })

  it('keeps a run without copies in the order given', () => {
    const items = ['a', 'b', 'c'].map((target) => ({ target, copy: 1 }))
    expect(byCopy(items)).toEqual(['a', 'b', 'c'])
  })
})
