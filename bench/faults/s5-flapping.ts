// Scenario 5: an upstream flapping: every key throttled (429, retry-after the phase's length)
// for one phase, healthy the next, for 60 s: 6 cycles of 5 s each way (--quick: 2 cycles of 0.75 s).
import { drive, firstSuccessAfter } from './client'
import { loadFor, scaled } from './load'
import { keyNames } from './rig'
import type { Scenario } from './types'

export const flapping: Scenario = {
  id: 'flapping',
  title:
    '5. upstream flapping 429 / healthy (recovery: mean, each failing phase end → first success)',
  async run(rig) {
    const keys = keyNames(10)
    const phaseMs = scaled(rig, 5000, 750)
    const cycles = scaled(rig, 6, 2)
    const failing = {
      status: 429,
      headers: rig.signals({ 'retry-after': String(Math.ceil(phaseMs / 1000)) }),
    }
    const up = await rig.upstream({ default: failing })
    const groupId = await rig.group('flap', [up], keys)
    const start = Date.now()
    // Failing first, so the run ends on a healthy phase.
    const ends = Array.from({ length: cycles }, (_, c) => start + (2 * c + 1) * phaseMs)
    const timers = ends.flatMap((end) => [
      setTimeout(() => up.setBehaviour({ default: null }), end - start),
      setTimeout(() => up.setBehaviour({ default: failing }), end - start + phaseMs),
    ])
    const total = 2 * cycles * phaseMs
    const shots = await drive(rig.chat('flap', false), loadFor(rig, total, total))
    timers.forEach(clearTimeout)
    up.setBehaviour({ default: null })
    const waits = ends.map((end) => firstSuccessAfter(shots, end))
    const ms = waits.includes(null) ? null : waits.reduce((a, b) => a! + b!, 0)! / waits.length
    return {
      shots,
      groupId,
      model: 'gpt-4o-mini',
      healthy: keys,
      recovery: { ms, within: phaseMs },
    }
  },
}
