// adapters/node/slots.ts: the churn-friendly set of in-flight responses and background promises.
import { describe, expect, it } from 'vitest'
import { createSlots } from '../adapters/node/slots'

describe('createSlots', () => {
  it('adds, removes and lists items, reusing freed slots', () => {
    const s = createSlots<{ n: number }>()
    const [a, b, c] = [{ n: 1 }, { n: 2 }, { n: 3 }]
    s.add(a)
    s.add(b)
    s.add(a) // already there: still one entry
    expect(s.size).toBe(2)
    expect(s.values()).toEqual([a, b])
    expect(s.delete(a)).toBe(true)
    expect(s.delete(a)).toBe(false)
    expect(s.delete(c)).toBe(false)
    expect(s.size).toBe(1)
    s.add(c) // takes a's freed slot
    expect(s.values()).toEqual([c, b])
    s.add(a)
    expect(s.values()).toEqual([c, b, a])
    expect(s.size).toBe(3)
  })

  it('keeps each instance apart for the same object', () => {
    const one = createSlots<object>()
    const two = createSlots<object>()
    const x = {}
    const y = {}
    one.add(y)
    one.add(x)
    two.add(x)
    expect(one.delete(x)).toBe(true)
    expect(two.values()).toEqual([x])
    expect(one.values()).toEqual([y])
    expect(two.delete(x)).toBe(true)
    expect(two.size).toBe(0)
  })

  it('stays consistent through many adds and deletes in any order', () => {
    const s = createSlots<{ id: number }>()
    const live = new Map<number, { id: number }>()
    let seed = 7
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n
    for (let i = 0; i < 5000; i++) {
      if (live.size > 0 && rand(3) === 0) {
        const ids = [...live.keys()]
        const id = ids[rand(ids.length)]!
        expect(s.delete(live.get(id)!)).toBe(true)
        live.delete(id)
      } else {
        const item = { id: i }
        s.add(item)
        live.set(i, item)
      }
      expect(s.size).toBe(live.size)
    }
    expect(
      s
        .values()
        .map((x) => x.id)
        .sort((a, b) => a - b),
    ).toEqual([...live.keys()])
  })
})
