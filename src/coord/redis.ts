// Coordination on Redis (or Upstash): every operation one script of lua/*.lua, run through
// the runtime's client. Keys are `{prefix}lease:{name}` and `{prefix}version:{name}`, so many
// gateways (or test runs) can share one Redis.
import {
  LEASE_ACQUIRE,
  LEASE_HOLDER,
  LEASE_RELEASE,
  LEASE_RENEW,
  VERSION_BUMP,
  VERSION_GET,
} from './lua/scripts.gen'
import type { Coordination } from './types'

/** What the core needs of a Redis client: one atomic script run (EVALSHA/EVAL, or Upstash's). */
export interface RedisEval {
  eval(script: string, keys: string[], args: string[]): Promise<unknown>
}

/** A version counter's key: the key pool's pick reads the config version's too. */
export const versionKey = (prefix: string, name: string) => `${prefix}version:${name}`

export const createRedisCoordination = (
  redis: RedisEval,
  prefix = 'edgeload:',
  now: () => number = Date.now,
): Coordination => {
  const lease = (name: string) => [`${prefix}lease:${name}`]
  const version = (name: string) => [versionKey(prefix, name)]
  const t = () => String(now())

  return {
    async acquire(name, owner, ttlMs) {
      return (await redis.eval(LEASE_ACQUIRE, lease(name), [t(), String(ttlMs), owner])) === 1
    },
    async renew(name, owner, ttlMs) {
      return (await redis.eval(LEASE_RENEW, lease(name), [t(), String(ttlMs), owner])) === 1
    },
    async release(name, owner) {
      return (await redis.eval(LEASE_RELEASE, lease(name), [t(), owner])) === 1
    },
    async holder(name) {
      const r = (await redis.eval(LEASE_HOLDER, lease(name), [t()])) as string[] | null
      return r && r.length === 2 ? { owner: String(r[0]), until: Number(r[1]) } : null
    },
    async version(name) {
      return Number(await redis.eval(VERSION_GET, version(name), []))
    },
    async bump(name) {
      return Number(await redis.eval(VERSION_BUMP, version(name), []))
    },
  }
}
