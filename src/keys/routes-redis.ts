// RouteHealth on Redis (or Upstash): each method one script of lua/route-*.lua, so nodes share
// incidents and circuits as they share cooldowns. Keys: `{prefix}route:{route}` (the route's
// view and circuit), `{prefix}route-recent:{route}` (its recent failures), `{prefix}routes` (the
// watched routes).
import type { RedisEval } from '../coord/redis'
import {
  ROUTE_CIRCUITS,
  ROUTE_CLAIM_PROBE,
  ROUTE_FAILURE,
  ROUTE_PROBE_DONE,
  ROUTE_SUCCESS,
} from './lua/scripts.gen'
import { MAX_OPEN_MS, type CircuitState, type CircuitView, type FailureClass } from './routes'
import type { RouteHealth } from './routes'
import { OPEN_JITTER } from './routes-memory'

/** Failures kept per route, as in the memory version. */
const MAX_RECENT = 1000

const LABEL: Record<FailureClass, string> = {
  auth: '401/403',
  rate_limit: '429',
  connect: '',
}

/**
 * @param random where the open time's jitter comes from, drawn on this node and passed to the
 *   script; a fixed value makes it exact (tests).
 */
/** The set of watched routes (any with failures or a circuit), which the pick also reads. */
export const routesKey = (prefix: string) => `${prefix}routes`

export const createRedisRoutes = (
  redis: RedisEval,
  prefix: string,
  random: () => number = Math.random,
): RouteHealth => {
  const watched = routesKey(prefix)
  const keys = (route: string) => [
    `${prefix}route:${route}`,
    `${prefix}route-recent:${route}`,
    watched,
  ]

  return {
    async routeFailure(route, failure, key, policy, now) {
      const seconds = Math.round(policy.windowMs / 1000)
      const cause =
        failure === 'connect'
          ? ` connection errors within ${seconds} s`
          : ` keys failed with ${LABEL[failure]} within ${seconds} s`
      const r = (await redis.eval(ROUTE_FAILURE, keys(route), [
        route,
        failure,
        String(key.groupId),
        String(key.keyId),
        key.charged ? '1' : '0',
        key.resetIn == null ? '' : String(key.resetIn),
        String(policy.minKeys),
        String(policy.windowMs),
        String(policy.openMs),
        String(now),
        String(random()),
        cause,
        String(OPEN_JITTER),
        String(MAX_RECENT),
      ])) as Array<string | number>
      if (Number(r[0]) === 0) return { incident: false }
      if (Number(r[0]) === 1) return { incident: true }
      const undo: Array<{ groupId: number; keyId: number }> = []
      for (let i = 1; i < r.length; i += 2)
        undo.push({ groupId: Number(r[i]), keyId: Number(r[i + 1]) })
      return { incident: true, undo }
    },

    async circuits(now) {
      const r = (await redis.eval(ROUTE_CIRCUITS, [watched], [`${prefix}route:`, String(now)])) as
        string[] | null
      if (!r || r.length === 0) return null
      const views = new Map<string, CircuitView>()
      for (let i = 0; i < r.length; i += 7) {
        views.set(r[i], {
          route: r[i],
          state: r[i + 1] as CircuitState,
          failure: r[i + 2] as FailureClass,
          since: Number(r[i + 3]),
          cause: r[i + 4],
          retryAt: Number(r[i + 5]),
          probing: r[i + 6] === '1',
        })
      }
      return views
    },

    async routeSuccess(route) {
      await redis.eval(ROUTE_SUCCESS, keys(route), [route])
    },

    async claimProbe(route, now) {
      return (await redis.eval(ROUTE_CLAIM_PROBE, keys(route).slice(0, 1), [String(now)])) === 1
    },

    async probeDone(route, ok, now) {
      const answer = ok === null ? '' : ok ? '1' : '0'
      await redis.eval(ROUTE_PROBE_DONE, keys(route), [
        route,
        answer,
        String(now),
        String(random()),
        String(OPEN_JITTER),
        String(MAX_OPEN_MS),
      ])
    },
  }
}
