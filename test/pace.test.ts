// The pacer that makes bulk work give way to traffic (src/keys/pace.ts), on a fake clock: idle work
// never waits, busy work keeps to a tenth of the wall clock over the whole spell, and a pause in
// traffic starts a new spell.
import { describe, expect, it } from 'vitest'
import { createPacer } from '../src/keys/pace'

const setup = () => {
  let t = 1_000_000
  let traffic = 0
  const waits: number[] = []
  const pacer = createPacer(
    () => t,
    () => traffic,
    async (ms) => {
      waits.push(ms)
      t += ms
    },
  )
  /** One slice of `ms` of work, then the pacer. */
  const slice = async (ms: number) => {
    const began = t
    t += ms
    await pacer.after(began)
  }
  return {
    slice,
    waits,
    now: () => t,
    trafficNow: () => (traffic = t),
  }
}

describe('pacer', () => {
  it('lets work run flat out while there is no traffic', async () => {
    const p = setup()
    for (let i = 0; i < 5; i++) await p.slice(50)
    expect(p.waits.every((w) => w === 0)).toBe(true)
  })

  it('keeps busy work to a tenth of the wall clock, making up for long slices', async () => {
    const p = setup()
    p.trafficNow()
    const start = p.now()
    for (const ms of [10, 10, 40, 10]) {
      p.trafficNow()
      await p.slice(ms)
    }
    // 70 ms of work take 700 ms of wall clock in all.
    expect(p.now() - start).toBe(700)
  })

  it('starts a new spell after traffic has been quiet for a second', async () => {
    const p = setup()
    p.trafficNow()
    await p.slice(20)
    expect(p.waits.at(-1)).toBe(180)
    // Quiet: no waits beyond the turn, and the old spell's budget is forgotten.
    await p.slice(2000)
    expect(p.waits.at(-1)).toBe(0)
    p.trafficNow()
    await p.slice(10)
    expect(p.waits.at(-1)).toBe(90)
  })
})
