// A shared pool (Redis, Upstash) against the memory pool: random sequences of every operation,
// each answer compared. The contract pins the semantics case by case; this finds what it does not
// name. Times strictly increase and differ per call, so ties (which each pool may break its own
// way) stay rare; answers whose order means nothing (invalid ids, circuits) are compared sorted.
import { describe, expect, it } from 'vitest'
import type { KeyPool, Outcome } from '../src/keys/pool'
import { createMemoryKeyPool } from '../src/keys/pool-memory'
import { createMemoryRoutes } from '../src/keys/routes-memory'
import type { FailureClass } from '../src/keys/routes'
import type { PoolKeyRow } from '../src/store/types'
import { seeded } from './helpers/seeded'

/** An empty pool of its own per seed, with the routes' jitter fixed as the memory pool's. */
export type MakeSharedPool = (seed: number, jitter: () => number) => Promise<KeyPool>

const KEYS = 9
const MODELS = ['', 'm1', 'm2']
const ROUTES = ['https://a.test', 'https://b.test']

const run = async (seed: number, steps: number, make: MakeSharedPool) => {
  const rnd = seeded(seed)
  const int = (n: number) => Math.floor(rnd() * n)
  const pickOf = <T>(xs: readonly T[]) => xs[int(xs.length)]
  const ids = () => Array.from({ length: 1 + int(4) }, () => 1 + int(KEYS + 1))
  const jitter = () => 0.37
  const memory: KeyPool = { ...createMemoryKeyPool(), ...createMemoryRoutes(jitter) }
  const shared = await make(seed, jitter)
  let now = 1_700_000_000_000
  const log: string[] = []

  const row = (id: number): PoolKeyRow => ({
    id,
    key_value: `sealed-${id}-${int(3)}`,
    key_hash: `h${id}`,
    status: rnd() < 0.15 ? 'invalid' : 'active',
    failure_count: int(3),
    ...(rnd() < 0.1 ? { enabled: false } : {}),
  })
  const outcome = (): Outcome => {
    const r = rnd()
    const model = pickOf(MODELS) || undefined
    // Now and then an end a provider's odd header could give.
    const odd = () => pickOf([Infinity, -Infinity, NaN, now - 5000, now])
    if (r < 0.3) return { kind: 'success' }
    if (r < 0.4) {
      const until = rnd() < 0.05 ? odd() : now + 1 + int(90_000)
      return { kind: 'success', depleted: { until, model } }
    }
    if (r < 0.6) return { kind: 'auth_failure' }
    const until = rnd() < 0.4 ? null : rnd() < 0.05 ? odd() : now + 1 + int(200_000)
    return model ? { kind: 'rate_limited', until, model } : { kind: 'rate_limited', until }
  }

  const ops: Array<[number, () => [string, (p: KeyPool) => Promise<unknown>]]> = [
    [
      3,
      () => {
        const rows = ids().map(row)
        const group = 1 + int(2)
        return [`add ${group} ${JSON.stringify(rows)}`, (p) => p.add(group, rows)]
      },
    ],
    [
      1,
      () => {
        const x = ids()
        return [`remove ${x}`, (p) => p.remove(1, x)]
      },
    ],
    [
      0.3,
      () => {
        const keep = new Set(ids())
        return [`retain ${[...keep]}`, (p) => p.retain(1, keep)]
      },
    ],
    [0.05, () => ['clearGroup', (p) => p.clearGroup(1)]],
    [
      10,
      () => {
        const ex = rnd() < 0.3 ? new Set(ids()) : undefined
        const m = pickOf(MODELS)
        return [`pick ${ex ? [...ex] : ''} ${m}`, (p) => p.pick(1, now, ex, m)]
      },
    ],
    [
      8,
      () => {
        const id = 1 + int(KEYS)
        const o = outcome()
        const policy = { blacklistThreshold: pickOf([0, 2, 4]) }
        return [
          `report ${id} ${JSON.stringify(o)} ${policy.blacklistThreshold}`,
          (p) => p.report(1, id, o, policy, now),
        ]
      },
    ],
    [
      1,
      () => {
        const x = ids()
        return [`restore ${x}`, (p) => p.restore(1, x)]
      },
    ],
    [
      2,
      () => {
        const policy = { intervalMs: pickOf([0, 5_000, 30_000]), perMinute: 1 + int(3) }
        return [`claimKeyProbe ${JSON.stringify(policy)}`, (p) => p.claimKeyProbe(1, now, policy)]
      },
    ],
    [
      2,
      () => {
        const id = 1 + int(KEYS)
        const ok = pickOf([true, false, null])
        return [`keyProbeDone ${id} ${ok}`, (p) => p.keyProbeDone(1, id, ok, now)]
      },
    ],
    [1, () => ['invalidIds', (p) => p.invalidIds(1).then((x) => x.sort((a, b) => a - b))]],
    [2, () => ['counts', (p) => p.counts(1, now)]],
    [
      2,
      () => {
        const m = pickOf(MODELS)
        return [`earliestReset ${m}`, (p) => p.earliestReset(1, now, m)]
      },
    ],
    [
      3,
      () => {
        const route = pickOf(ROUTES)
        const failure = pickOf<FailureClass>(['auth', 'rate_limit', 'connect'])
        const key = {
          groupId: 1,
          keyId: 1 + int(KEYS),
          charged: rnd() < 0.5,
          resetIn: pickOf([null, 5000, 60_000]),
        }
        const policy = { minKeys: pickOf([0, 2, 3]), windowMs: 20_000, openMs: 30_000 }
        return [
          `routeFailure ${route} ${failure} ${JSON.stringify(key)} ${policy.minKeys}`,
          (p) =>
            p.routeFailure(route, failure, key, policy, now).then((r) => ({
              ...r,
              ...(r.undo ? { undo: [...r.undo].sort((a, b) => a.keyId - b.keyId) } : {}),
            })),
        ]
      },
    ],
    [1, () => ['circuits', (p) => p.circuits(now).then((c) => c && [...c.entries()].sort())]],
    [
      1,
      () => {
        const route = pickOf(ROUTES)
        return [`routeSuccess ${route}`, (p) => p.routeSuccess(route)]
      },
    ],
    [
      1,
      () => {
        const route = pickOf(ROUTES)
        return [`claimProbe ${route}`, (p) => p.claimProbe(route, now)]
      },
    ],
    [
      1,
      () => {
        const route = pickOf(ROUTES)
        const ok = pickOf([true, false, null])
        return [`probeDone ${route} ${ok}`, (p) => p.probeDone(route, ok, now)]
      },
    ],
  ]
  const total = ops.reduce((s, [w]) => s + w, 0)

  for (let i = 0; i < steps; i++) {
    now += 1 + int(rnd() < 0.1 ? 120_000 : 4_000)
    let r = rnd() * total
    const [, make] = ops.find(([w]) => (r -= w) < 0) ?? ops[0]
    const [name, op] = make()
    log.push(`${i} @${now} ${name}`)
    const [a, b] = [await op(memory), await op(shared)]
    expect(b, `seed ${seed}, after:\n${log.slice(-25).join('\n')}`).toEqual(a)
  }
}

export const testKeyPoolParity = (name: string, make: MakeSharedPool, seeds = 30): void => {
  describe(`KeyPool on ${name} answers as the memory pool does`, () => {
    for (let seed = 1; seed <= seeds; seed++) {
      it(`random operations, seed ${seed}`, () => run(seed, 600, make))
    }
  })
}
