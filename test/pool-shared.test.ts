// wrapSharedPool: a shared pool's failures become 503s naming the pool, and the circuit view is
// read at most every CIRCUITS_TTL_MS (so the happy path is one round trip), except right after
// this node changed a route.
import { describe, expect, it } from 'vitest'
import { AppError } from '../src/errors'
import type { KeyPool } from '../src/keys/pool'
import { createMemoryKeyPool } from '../src/keys/pool-memory'
import { CIRCUITS_TTL_MS, wrapSharedPool } from '../src/keys/pool-shared'

const T0 = 1_700_000_000_000
const INCIDENTS = { minKeys: 2, windowMs: 10_000, openMs: 10_000 }

const counting = (pool: KeyPool) => {
  const calls = { circuits: 0 }
  const inner = { ...pool, circuits: (now: number) => (calls.circuits++, pool.circuits(now)) }
  return { calls, pool: wrapSharedPool(inner) }
}

describe('a shared pool', () => {
  it('turns a failing call into 503 SERVICE_UNAVAILABLE naming the pool', async () => {
    const broken = {
      ...createMemoryKeyPool(),
      pick: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:6379')
      },
    } as KeyPool
    const err = await wrapSharedPool(broken)
      .pick(1, T0)
      .then(
        () => null,
        (e: unknown) => e,
      )
    expect(err).toBeInstanceOf(AppError)
    expect(err).toMatchObject({
      status: 503,
      code: 'SERVICE_UNAVAILABLE',
      message: 'key pool unreachable: connect ECONNREFUSED 127.0.0.1:6379',
    })
  })

  it('passes results and plain fields through', async () => {
    const pool = wrapSharedPool({ ...createMemoryKeyPool(), shared: true })
    expect(pool.shared).toBe(true)
    await pool.add(1, [
      { id: 7, key_value: 'v', key_hash: 'h', status: 'active', failure_count: 0 },
    ])
    expect(await pool.pick(1, T0)).toMatchObject({ id: 7, hash: 'h', stored: 'v' })
  })

  it('reads circuits at most every CIRCUITS_TTL_MS, and at once after its own route change', async () => {
    const { calls, pool } = counting(createMemoryKeyPool())
    expect(await pool.circuits(T0)).toBeNull()
    expect(await pool.circuits(T0 + CIRCUITS_TTL_MS - 1)).toBeNull()
    expect(calls.circuits).toBe(1)
    expect(await pool.circuits(T0 + CIRCUITS_TTL_MS)).toBeNull()
    expect(calls.circuits).toBe(2)
    // Two keys failing alike open the route's incident; this node sees it on its next read.
    for (const keyId of [1, 2]) {
      await pool.routeFailure(
        'https://up',
        'connect',
        { groupId: 1, keyId, charged: false },
        INCIDENTS,
        T0 + CIRCUITS_TTL_MS + 1,
      )
    }
    const view = await pool.circuits(T0 + CIRCUITS_TTL_MS + 2)
    expect(calls.circuits).toBe(3)
    expect(view?.get('https://up')?.state).toBe('open')
  })
})
