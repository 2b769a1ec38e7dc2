// Marks narrower than a key's state, for the memory pool: a cooldown for one model (a provider's
// per-model limit, the key still serves other models) and a soft mark on a key whose `remaining`
// reached 0 (used only when no other key is). Each mark ends by itself at its time; an ended mark
// is dropped when it is next read.

/** Marks for one model; the model '' holds the key-wide soft marks. */
export interface ModelMarks {
  /** Key id to the end of its cooldown for this model (epoch ms). */
  hard: Map<number, number>
  /** Key id to the end of its depletion (epoch ms). */
  soft: Map<number, number>
}

export type Marks = Map<string, ModelMarks>

export const marksOf = (marks: Marks, model: string): ModelMarks => {
  let m = marks.get(model)
  if (m === undefined) marks.set(model, (m = { hard: new Map(), soft: new Map() }))
  return m
}

/** The mark's end while it lasts; undefined once it ended (and then it is dropped). */
export const liveMark = (map: Map<number, number>, id: number, now: number): number | undefined => {
  const until = map.get(id)
  if (until === undefined) return undefined
  if (until > now) return until
  map.delete(id)
  return undefined
}

/** Sets a mark to `until`, never earlier than one that still runs: a later signal never shortens. */
export const extendMark = (
  map: Map<number, number>,
  id: number,
  until: number,
  now: number,
): number => {
  const end = Math.max(liveMark(map, id, now) ?? 0, until)
  map.set(id, end)
  return end
}

export const dropMarks = (marks: Marks, id: number): void => {
  for (const m of marks.values()) {
    m.hard.delete(id)
    m.soft.delete(id)
  }
}

/** Not usable for the model at all. */
export const RANK_BLOCKED = 4

/**
 * How good a pick a key is for `model`: 0 best; 1 depleted; 2 tried in this request; 3 both;
 * RANK_BLOCKED when it cools for the model.
 */
export const rankFor = (
  model: ModelMarks | undefined,
  wide: ModelMarks | undefined,
  id: number,
  excluded: boolean,
  now: number,
): number => {
  if (model !== undefined && liveMark(model.hard, id, now) !== undefined) return RANK_BLOCKED
  const soft =
    (model !== undefined && liveMark(model.soft, id, now) !== undefined) ||
    (wide !== undefined && liveMark(wide.soft, id, now) !== undefined)
  return (excluded ? 2 : 0) + (soft ? 1 : 0)
}
