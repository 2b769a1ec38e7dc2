// A min-heap on `until` whose items know their own slot (`hi`), so removal is O(log n).

export interface HeapItem {
  until: number
  /** Position in the heap, -1 when not in it. */
  hi: number
}

const swap = <T extends HeapItem>(h: T[], i: number, j: number): void => {
  const a = h[i]
  h[i] = h[j]
  h[j] = a
  h[i].hi = i
  h[j].hi = j
}

const siftUp = <T extends HeapItem>(h: T[], i: number): void => {
  while (i > 0) {
    const p = (i - 1) >> 1
    if (h[p].until <= h[i].until) return
    swap(h, i, p)
    i = p
  }
}

const siftDown = <T extends HeapItem>(h: T[], i: number): void => {
  for (;;) {
    const l = 2 * i + 1
    let m = i
    if (l < h.length && h[l].until < h[m].until) m = l
    if (l + 1 < h.length && h[l + 1].until < h[m].until) m = l + 1
    if (m === i) return
    swap(h, i, m)
    i = m
  }
}

export const heapPush = <T extends HeapItem>(h: T[], e: T): void => {
  e.hi = h.length
  h.push(e)
  siftUp(h, e.hi)
}

export const heapRemove = <T extends HeapItem>(h: T[], e: T): void => {
  const i = e.hi
  const last = h.pop() as T
  e.hi = -1
  if (last === e) return
  h[i] = last
  last.hi = i
  siftUp(h, i)
  siftDown(h, last.hi)
}
