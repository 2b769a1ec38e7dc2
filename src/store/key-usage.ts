// Per-key usage (request_count, last_used_at) as it comes out of request-log rows: successful
// uses per (group, key), how many and the latest. The Store writes it with a log batch, or the
// log writer gathers it in memory and writes it less often (src/logs/writer.ts).
import type { KeyUsage, RequestLog } from './types-records'

const idOf = (groupId: number, keyHash: string) => `${groupId}:${keyHash}`

/** Adds `u` into `into`, keyed by group and key. */
const merge = (into: Map<string, KeyUsage>, u: KeyUsage) => {
  const k = idOf(u.group_id, u.key_hash)
  const had = into.get(k)
  if (!had) into.set(k, { ...u })
  else {
    had.n += u.n
    had.last = Math.max(had.last, u.last)
  }
}

/** Successful uses per (group, key) in these rows. */
export const toKeyUsage = (rows: readonly RequestLog[]): KeyUsage[] => {
  const usage = new Map<string, KeyUsage>()
  for (const r of rows) {
    if (!r.is_success || !r.key_hash) continue
    merge(usage, { group_id: r.group_id, key_hash: r.key_hash, n: 1, last: r.timestamp.getTime() })
  }
  return [...usage.values()]
}

/** Usage gathered across log batches until it is taken to be written. */
export const createUsageBuffer = () => {
  let pending = new Map<string, KeyUsage>()
  return {
    add(rows: readonly RequestLog[]) {
      for (const u of toKeyUsage(rows)) merge(pending, u)
    },
    take(): KeyUsage[] {
      const out = [...pending.values()]
      pending = new Map()
      return out
    },
    /** Puts back what could not be written, merged with what came meanwhile. */
    restore(list: readonly KeyUsage[]) {
      for (const u of list) merge(pending, u)
    },
    size: () => pending.size,
  }
}
