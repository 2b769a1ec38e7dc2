// Scenario 4: the upstream answers 429 to every key at once (its egress throttled), then lifts;
// a: a second, healthy upstream is in the group; b: the throttled upstream is alone.
import { drive, firstSuccessAfter } from './client'
import { loadFor, scaled } from './load'
import { keyNames, waitFullHealth } from './rig'
import type { Scenario } from './types'

const throttle = (alone: boolean): Scenario => ({
  id: alone ? 'egress-throttle-alone' : 'egress-throttle',
  title: alone
    ? '4b. every key 429 (egress throttled), upstream alone (recovery: lift → first success)'
    : '4a. every key 429 (egress throttled), 2nd upstream healthy (recovery: lift → all keys usable)',
  async run(rig) {
    const keys = keyNames(10)
    const bad = await rig.upstream({ default: { status: 429 } })
    const ups = alone ? [bad] : [bad, await rig.upstream()]
    const groupId = await rig.group('egress', ups, keys)
    const faultMs = scaled(rig, alone ? 3000 : 4000, 1000)
    // Alone, edgeload's circuit stays open circuit_open_seconds (30 s) after the lift.
    const tail = alone ? scaled(rig, 32_000, 2000) : scaled(rig, 6000, 1500)
    const lift = Date.now() + faultMs
    const lifted = new Promise<void>((r) =>
      setTimeout(() => r(bad.setBehaviour({ default: null })), faultMs),
    )
    const [shots, healthMs] = await Promise.all([
      drive(rig.chat('egress', false), loadFor(rig, faultMs + tail, faultMs + tail)),
      lifted.then(() =>
        alone ? null : waitFullHealth(rig, groupId, 'gpt-4o-mini', keys, lift, lift + tail),
      ),
    ])
    const ms = alone ? firstSuccessAfter(shots, lift) : healthMs
    return { shots, groupId, model: 'gpt-4o-mini', healthy: keys, recovery: { ms, within: tail } }
  },
})

export const egressThrottle = throttle(false)
export const egressThrottleAlone = throttle(true)
