// The KeyPool on Redis (or Upstash): every operation is one script of lua/pool-*.lua, so it is
// atomic among all nodes and no read-modify-write crosses the network. Per group, under
// `{prefix}g:{groupId}:`: a zset of active keys by turn (round robin), a zset of cooling keys by
// their end, a zset of invalid keys with probe queues, per-model mark zsets, and a hash per key
// holding only its stored value (sealed when ENCRYPTION_KEY is set), key_hash and health.
import { versionKey, type RedisEval } from '../coord/redis'
import { VERSION_CONFIG } from '../coord/types'
import type { PoolKeyRow } from '../store/types'
import {
  POOL_ADD,
  POOL_CLAIM_PROBE,
  POOL_CLEAR,
  POOL_COUNTS,
  POOL_EARLIEST_RESET,
  POOL_INVALID_IDS,
  POOL_PICK,
  POOL_PROBE_DONE,
  POOL_REMOVE,
  POOL_REPORT,
  POOL_RESTORE,
  POOL_RETAIN,
} from './lua/scripts.gen'
import {
  DEFAULT_COOLDOWN_MS,
  MAX_DEFAULT_COOLDOWN_MS,
  MAX_PROBE_WAIT_MS,
  type KeyChange,
  type KeyPool,
  type KeyState,
  type PickedKey,
} from './pool'
import { createRedisRoutes, routesKey } from './routes-redis'

/** Rows per add script: each call is atomic and holds Redis for a few ms only. */
const ADD_CHUNK = 2000
/** Ids per remove script, likewise. */
const REMOVE_CHUNK = 5000

const STATES: Record<string, KeyState> = { a: 'active', c: 'cooling', i: 'invalid' }

type Reply = Array<string | number> | null

/** A script's change ({from, to, failures, until, rejoined_at, began}) as the pool tells it. */
const toChange = (id: number, r: Reply, model?: string): KeyChange | null => {
  if (!r) return null
  const to = STATES[String(r[1])]
  const change: KeyChange = {
    id,
    from: STATES[String(r[0])],
    to,
    status: to === 'invalid' ? 'invalid' : 'active',
    failure_count: Number(r[2]),
  }
  if (r[3] !== '') change.until = Number(r[3])
  if (model) {
    change.model = model
    change.began = r[5] === '1'
  }
  if (r[4] !== '') change.rejoined_at = Number(r[4])
  return change
}

const toPicked = (r: Reply): PickedKey | null => {
  if (!r) return null
  const picked = {
    id: Number(r[0]),
    hash: String(r[1]),
    stored: String(r[2]),
    failures: Number(r[3]),
  }
  return r[4] !== undefined && String(r[4]) !== '0' ? { ...picked, rejoined: true } : picked
}

/** A 429's end for a script: a non-finite one means now, as in the memory pool. */
const ms = (at: number, now: number) => String(Number.isFinite(at) ? at : now)

/** A depletion's end for a script: one that never ends is kept as the memory pool keeps it. */
const depletedMs = (at: number, now: number) =>
  String(at === Infinity ? Number.MAX_SAFE_INTEGER : Number.isFinite(at) ? at : now)

const chunks = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/**
 * How long a pick's word that no route is watched stands in for a circuit read. A node that
 * picked within it needs no round trip for its circuit view; one idle longer reads it again.
 */
export const QUIET_TRUST_MS = 10_000

export interface RedisPoolOptions {
  /** The route open time's jitter (see routes-redis.ts). */
  random?: () => number
  /** The config version each pick brings back, with the pick's time (see version-tap.ts). */
  onConfigVersion?: (version: number, now: number) => void
}

/** @param prefix shared by every key of this pool, e.g. `edgeload:`. */
export const createRedisKeyPool = (
  redis: RedisEval,
  prefix: string,
  opts: RedisPoolOptions = {},
): KeyPool => {
  const groupKeys = (groupId: number) => {
    const p = `${prefix}g:${groupId}:`
    return { p, keys: [`${p}meta`, `${p}ring`, `${p}cool`, `${p}inv`, `${p}models`] }
  }
  const run = (script: string, groupId: number, args: string[]) => {
    const { p, keys } = groupKeys(groupId)
    return redis.eval(script, keys, [p, ...args]) as Promise<Reply>
  }
  const routes = createRedisRoutes(redis, prefix, opts.random)
  // What each pick also reads: the watched routes and the config version.
  const observed = [routesKey(prefix), versionKey(prefix, VERSION_CONFIG)]
  // When the last pick found no route watched: until then (and QUIET_TRUST_MS after), the
  // circuit view is known to be empty without reading it. A route change made here ends it.
  let quietAt: number | null = null
  const loud =
    <A extends unknown[], R>(f: (...a: A) => Promise<R>) =>
    (...a: A) => {
      quietAt = null
      return f(...a)
    }

  return {
    ...routes,
    routeFailure: loud(routes.routeFailure),
    claimProbe: loud(routes.claimProbe),
    probeDone: loud(routes.probeDone),
    async circuits(now) {
      if (quietAt !== null && now >= quietAt && now - quietAt < QUIET_TRUST_MS) return null
      return routes.circuits(now)
    },
    shared: true,

    async add(groupId, rows) {
      // In order: each chunk joins the ring after the one before, keeping the rotation's order.
      for (const chunk of chunks(rows, ADD_CHUNK)) {
        const args = chunk.flatMap((r: PoolKeyRow) => [
          String(r.id),
          r.key_value,
          r.key_hash,
          r.status,
          String(r.failure_count),
          r.enabled === false ? '0' : '1',
        ])
        await run(POOL_ADD, groupId, args)
      }
    },

    async remove(groupId, ids) {
      for (const chunk of chunks(ids, REMOVE_CHUNK))
        await run(POOL_REMOVE, groupId, chunk.map(String))
    },

    async clearGroup(groupId) {
      await run(POOL_CLEAR, groupId, [])
    },

    async retain(groupId, keep) {
      await run(POOL_RETAIN, groupId, [...keep].map(String))
    },

    async pick(groupId, now, exclude, model = '') {
      const excluded = exclude ? [...exclude].map(String) : []
      const { p, keys } = groupKeys(groupId)
      const r = (await redis.eval(
        POOL_PICK,
        [...keys, ...observed],
        [p, String(now), model, ...excluded],
      )) as Reply
      if (r && r.length >= 7) {
        quietAt = Number(r[5]) === 0 ? now : null
        opts.onConfigVersion?.(Number(r[6]), now)
      }
      return toPicked(r)
    },

    async report(groupId, keyId, outcome, policy, now) {
      const kind =
        outcome.kind === 'auth_failure' ? 'auth' : outcome.kind === 'success' ? 'success' : 'rate'
      const limited = outcome.kind === 'rate_limited' ? outcome : null
      const depleted = outcome.kind === 'success' ? outcome.depleted : undefined
      const r = await run(POOL_REPORT, groupId, [
        String(keyId),
        String(now),
        kind,
        limited?.until == null ? '' : ms(limited.until, now),
        limited?.model ?? '',
        String(policy.blacklistThreshold),
        depleted ? depletedMs(depleted.until, now) : '',
        depleted?.model ?? '',
        String(DEFAULT_COOLDOWN_MS),
        String(MAX_DEFAULT_COOLDOWN_MS),
      ])
      return toChange(keyId, r, limited?.model || undefined)
    },

    async restore(groupId, ids) {
      if (ids.length === 0) return []
      const r = await run(POOL_RESTORE, groupId, ids.map(String))
      return (r ?? []).map(Number)
    },

    async claimKeyProbe(groupId, now, policy) {
      const r = await run(POOL_CLAIM_PROBE, groupId, [
        String(now),
        String(policy.intervalMs),
        String(policy.perMinute),
        String(MAX_PROBE_WAIT_MS),
      ])
      return toPicked(r)
    },

    async keyProbeDone(groupId, keyId, ok, now) {
      const answer = ok === null ? '' : ok ? '1' : '0'
      return toChange(
        keyId,
        await run(POOL_PROBE_DONE, groupId, [String(keyId), answer, String(now)]),
      )
    },

    async invalidIds(groupId) {
      return ((await run(POOL_INVALID_IDS, groupId, [])) ?? []).map(Number)
    },

    async counts(groupId, now) {
      const r = (await run(POOL_COUNTS, groupId, [String(now)])) ?? [0, 0, 0]
      return { active: Number(r[0]), cooling: Number(r[1]), invalid: Number(r[2]) }
    },

    async earliestReset(groupId, now, model = '') {
      const r = (await run(POOL_EARLIEST_RESET, groupId, [String(now), model])) as unknown
      return r == null ? null : Number(r)
    },
  }
}
