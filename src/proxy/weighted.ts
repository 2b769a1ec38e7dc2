// Smooth weighted round robin (nginx's algorithm) over upstream URLs or sub-groups.

export interface WeightedPicker<T> {
  /** The next item; `skip` lets a caller pass over items (e.g. sub-groups with no keys). */
  next(skip?: (item: T) => boolean): T | null
  readonly size: number
}

export const createWeightedPicker = <T>(
  items: ReadonlyArray<{ item: T; weight: number }>,
): WeightedPicker<T> => {
  const live = items.filter((i) => i.weight > 0)
  const current = new Array<number>(live.length).fill(0)
  const total = live.reduce((s, i) => s + i.weight, 0)
  return {
    size: live.length,
    next(skip) {
      if (live.length === 0) return null
      if (live.length === 1) return skip?.(live[0].item) ? null : live[0].item
      let best = -1
      for (let i = 0; i < live.length; i++) {
        current[i] += live[i].weight
        if (skip?.(live[i].item)) continue
        if (best < 0 || current[i] > current[best]) best = i
      }
      if (best < 0) return null
      current[best] -= total
      return live[best].item
    },
  }
}
