// The KeyPool on Redis (or Upstash): every operation is one script of lua/pool-*.lua, so it is
// atomic among all nodes and no read-modify-write crosses the network. Per group, under
// `{prefix}g:{groupId}:`: a zset of active keys by turn (round robin), a zset of cooling keys by
// their end, a zset of invalid keys with probe queues, per-model mark zsets, and a hash per key
// holding only its stored value (sealed when ENCRYPTION_KEY is set), key_hash and health.
import type { RedisEval } from '../coord/redis'
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
import { createRedisRoutes } from './routes-redis'

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
 * @param prefix shared by every key of this pool, e.g. `edgeload:`.
 * @param random the route open time's jitter (see routes-redis.ts).
 */
export const createRedisKeyPool = (
  redis: RedisEval,
  prefix: string,
  random: () => number = Math.random,
): KeyPool => {
  const run = (script: string, groupId: number, args: string[]) => {
    const p = `${prefix}g:${groupId}:`
    const keys = [`${p}meta`, `${p}ring`, `${p}cool`, `${p}inv`, `${p}models`]
    return redis.eval(script, keys, [p, ...args]) as Promise<Reply>
  }

  return {
    ...createRedisRoutes(redis, prefix, random),
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
      return toPicked(await run(POOL_PICK, groupId, [String(now), model, ...excluded]))
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
