// What isolates share. Isolates share no memory, so with Upstash bound the key pool, the leases
// and the config version live there, run by the same Lua scripts as on Node. Without it each
// isolate has its own memory pool (rotation, cooldowns and blacklist per isolate) and the
// leases live in the database; the start and the dashboard warn about it.
import { createRedisCoordination } from '../../src/coord/redis'
import { TAP_FRESH_MS, withVersionTap } from '../../src/coord/version-tap'
import { VERSION_CONFIG, type Coordination } from '../../src/coord/types'
import type { KeyPool } from '../../src/keys/pool'
import { createMemoryKeyPool } from '../../src/keys/pool-memory'
import { createRedisKeyPool } from '../../src/keys/pool-redis'
import { wrapSharedPool } from '../../src/keys/pool-shared'
import type { WorkersEnv } from './bindings'
import { openUpstash } from './upstash'

export interface WorkersShared {
  pool: KeyPool
  coord: Coordination
  /** False: a per-isolate memory pool. */
  shared: boolean
}

export const openShared = (
  env: WorkersEnv,
  dbCoord: Coordination,
  prefix: string,
): WorkersShared => {
  const url = env.UPSTASH_REDIS_REST_URL
  const token = env.UPSTASH_REDIS_REST_TOKEN
  if (!url || !token) return { pool: createMemoryKeyPool(), coord: dbCoord, shared: false }
  const redis = openUpstash({ url, token })
  const tap = withVersionTap(createRedisCoordination(redis, prefix), TAP_FRESH_MS)
  const onConfigVersion = (v: number, at: number) => tap.seen(VERSION_CONFIG, v, at)
  return {
    pool: wrapSharedPool(createRedisKeyPool(redis, prefix, { onConfigVersion })),
    coord: tap.coord,
    shared: true,
  }
}
