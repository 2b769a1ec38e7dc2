// What the nodes of a deployment share, by REDIS_DSN: without it, the coordination lives in the
// database and the key pool in this process; with it, both live in Redis, and so does the log
// queue that the leader drains into the database.
import type { Redis } from 'ioredis'
import { ConfigError, type Env } from '../../src/config/env'
import { createRedisCoordination } from '../../src/coord/redis'
import { TAP_FRESH_MS, withVersionTap } from '../../src/coord/version-tap'
import { VERSION_CONFIG, type Coordination } from '../../src/coord/types'
import type { Deps } from '../../src/deps'
import type { Logger } from '../../src/logger'
import { createMemoryKeyPool } from '../../src/keys/pool-memory'
import { createRedisKeyPool } from '../../src/keys/pool-redis'
import { wrapSharedPool } from '../../src/keys/pool-shared'
import { createRedisLogQueue } from '../../src/logs/queue-redis'
import type { RedisEval } from '../../src/coord/redis'
import { createRedisEval, openRedis } from './redis'

export interface SharedState extends Pick<Deps, 'coord' | 'pool' | 'logQueue'> {
  close(): Promise<void>
}

/** How long the start waits for Redis to answer a PING. */
const REDIS_START_MS = 5_000

/** REDIS_DSN as it may be shown: without its password. */
export const redactRedis = (dsn: string): string => {
  try {
    const u = new URL(dsn)
    if (u.password) u.password = '***'
    return u.href
  } catch {
    return 'redis://…'
  }
}

const ping = async (client: Redis, dsn: string) => {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(
      () => fail(new Error(`no answer within ${REDIS_START_MS} ms`)),
      REDIS_START_MS,
    )
  })
  // The client queues nothing while it connects, so the ping waits for `ready` first.
  const ready = new Promise<void>((ok, fail) => {
    if (client.status === 'ready') return ok()
    client.once('ready', ok)
    client.once('error', fail)
  })
  try {
    await Promise.race([ready.then(() => client.ping()), timeout])
  } catch (err) {
    client.disconnect()
    throw new ConfigError(`REDIS_DSN: cannot reach ${redactRedis(dsn)}: ${(err as Error).message}`)
  } finally {
    clearTimeout(timer)
  }
}

/** The most often a failing Redis connection is logged. */
const ERROR_LOG_EVERY_MS = 10_000

export interface RedisLink {
  redis: RedisEval
  close(): Promise<void>
}

/** Connects to REDIS_DSN and checks that it answers; null without REDIS_DSN. */
export const connectRedis = async (env: Env, log: Logger): Promise<RedisLink | null> => {
  if (!env.REDIS_DSN) return null
  const client = await openRedis(env.REDIS_DSN)
  // ioredis reconnects by itself; without a listener it would print every failed attempt.
  let loggedAt = -Infinity
  client.on('error', (err: Error) => {
    if (Date.now() - loggedAt < ERROR_LOG_EVERY_MS) return
    loggedAt = Date.now()
    log('warn', 'Redis connection failing; retrying', { error: err.message })
  })
  await ping(client, env.REDIS_DSN)
  return {
    redis: createRedisEval(client),
    close: async () => {
      await client.quit().catch(() => client.disconnect())
    },
  }
}

/** A migration lease TTL far beyond any migration, so only a dead master's lease lapses. */
const MIGRATE_LEASE_MS = 10 * 60_000

/** Runs `work` while holding the cluster's `migrate` lease in Redis, waiting for it if needed. */
export const migrationLock = (link: RedisLink, env: Env) => {
  const coord = createRedisCoordination(link.redis, env.REDIS_PREFIX)
  const owner = crypto.randomUUID()
  return async <T>(work: () => Promise<T>): Promise<T> => {
    while (!(await coord.acquire('migrate', owner, MIGRATE_LEASE_MS))) {
      await new Promise((r) => setTimeout(r, 250))
    }
    try {
      return await work()
    } finally {
      await coord.release('migrate', owner)
    }
  }
}

/** The shared state: on the database without REDIS_DSN, in Redis with it. */
export const openSharedState = (
  env: Env,
  /** The coordination on the database, used without Redis. */
  sqlCoord: Coordination,
  link: RedisLink | null,
): SharedState => {
  if (!link) return { coord: sqlCoord, pool: createMemoryKeyPool(), close: async () => {} }
  const tap = withVersionTap(createRedisCoordination(link.redis, env.REDIS_PREFIX), TAP_FRESH_MS)
  const onConfigVersion = (v: number, at: number) => tap.seen(VERSION_CONFIG, v, at)
  return {
    coord: tap.coord,
    pool: wrapSharedPool(createRedisKeyPool(link.redis, env.REDIS_PREFIX, { onConfigVersion })),
    logQueue: createRedisLogQueue(link.redis, env.REDIS_PREFIX),
    close: () => link.close(),
  }
}
