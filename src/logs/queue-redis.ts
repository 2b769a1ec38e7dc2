// The log queue on Redis (or Upstash): one stream, `{prefix}logs`, each operation one script of
// ./lua. Nodes push pipelined batches; the leader reads the oldest entries, writes them to the
// database and only then deletes them.
import type { RedisEval } from '../coord/redis'
import type { RequestLog } from '../store/types'
import { fromQueued, toQueued, type LogQueue } from './queue'
import { LOG_ACK, LOG_DEPTH, LOG_PUSH, LOG_READ } from './lua/scripts.gen'

/**
 * The stream's cap: rows beyond it (no leader has drained for a long time) drop the oldest.
 * About 1 GB of Redis memory at 1 KB a row (an estimate, not measured).
 */
export const LOG_QUEUE_CAP = 1_000_000

export const createRedisLogQueue = (redis: RedisEval, prefix = 'edgeload:'): LogQueue => {
  const key = [`${prefix}logs`]
  return {
    async push(rows) {
      if (rows.length === 0) return
      await redis.eval(LOG_PUSH, key, [String(LOG_QUEUE_CAP), ...rows.map(toQueued)])
    },
    async read(max) {
      const flat = (await redis.eval(LOG_READ, key, [String(max)])) as string[]
      const ids: string[] = []
      const rows: RequestLog[] = []
      for (let i = 0; i < flat.length; i += 2) {
        ids.push(String(flat[i]))
        // An entry that is not a row is acknowledged with the rest, and so dropped.
        const row = fromQueued(String(flat[i + 1]))
        if (row) rows.push(row)
      }
      return { ids, rows }
    },
    async ack(ids) {
      if (ids.length > 0) await redis.eval(LOG_ACK, key, ids)
    },
    depth: async () => Number(await redis.eval(LOG_DEPTH, key, [])),
  }
}
