// Per-key usage (request_count, last_used_at) as it comes out of request-log rows: successful
// uses per (group, key), how many and the latest. The Store writes it with a log batch, or the
// log writer gathers it in memory and writes it less often (src/logs/writer.ts).
import type { KeyUsage, RequestLog } from './types-records'

/**
 * Per group, then per key hash. The hashes are the pool's own strings, whose hash codes V8 keeps:
 * looking one up makes no new string (a `${group}:${hash}` id did, per row, which cost ~1% of a
 * chat's CPU with 100,000 keys in the map).
 */
type UsageMap = Map<number, Map<string, KeyUsage>>

/** Adds `n` uses, the latest at `last`; a new entry is made only for a key not seen yet. */
const add = (into: UsageMap, group_id: number, key_hash: string, n: number, last: number) => {
  let byKey = into.get(group_id)
  if (!byKey) into.set(group_id, (byKey = new Map()))
  const had = byKey.get(key_hash)
  if (!had) byKey.set(key_hash, { group_id, key_hash, n, last })
  else {
    had.n += n
    if (last > had.last) had.last = last
  }
}

const addRows = (into: UsageMap, rows: readonly RequestLog[]) => {
  for (const r of rows) {
    if (r.is_success && r.key_hash) add(into, r.group_id, r.key_hash, 1, r.timestamp.getTime())
  }
}

const listOf = (usage: UsageMap): KeyUsage[] =>
  [...usage.values()].flatMap((byKey) => [...byKey.values()])

/** Successful uses per (group, key) in these rows. */
export const toKeyUsage = (rows: readonly RequestLog[]): KeyUsage[] => {
  const usage: UsageMap = new Map()
  addRows(usage, rows)
  return listOf(usage)
}

/** Usage gathered across log batches until it is taken to be written. */
export const createUsageBuffer = () => {
  let pending: UsageMap = new Map()
  return {
    add: (rows: readonly RequestLog[]) => addRows(pending, rows),
    take(): KeyUsage[] {
      const out = listOf(pending)
      pending = new Map()
      return out
    },
    /** Puts back what could not be written, merged with what came meanwhile. */
    restore(list: readonly KeyUsage[]) {
      for (const u of list) add(pending, u.group_id, u.key_hash, u.n, u.last)
    },
    size: () => {
      let n = 0
      for (const byKey of pending.values()) n += byKey.size
      return n
    },
  }
}
