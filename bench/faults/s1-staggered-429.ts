// Scenario 1: 20 keys answer 429 with resets 1–20 s apart (retry-after on odd keys,
// x-ratelimit-reset-requests on even ones), each counting down, then recover.
import { drive, firstSuccessAfter } from './client'
import { loadFor, scaled } from './load'
import { keyNames } from './rig'
import type { Scenario } from './types'

export const staggered429: Scenario = {
  id: 'staggered-429',
  title: '1. 20 keys 429, staggered resets (recovery: first reset → first success)',
  async run(rig) {
    const keys = keyNames(20)
    const stepMs = scaled(rig, 1000, 120)
    const up = await rig.upstream()
    const groupId = await rig.group('staggered', [up], keys)
    // The clock starts once the group exists: no request could come earlier.
    const start = Date.now()
    const resetAt = (i: number) => start + (i + 1) * stepMs
    // Each limited key names the time left until its own reset, as a provider does.
    const refresh = () => {
      const now = Date.now()
      keys.forEach((k, i) => {
        const left = resetAt(i) - now
        if (left <= 0) return up.setBehaviour({ [k]: null })
        const header: Record<string, string> =
          i % 2 === 0
            ? { 'retry-after': String(Math.ceil(left / 1000)) }
            : { 'x-ratelimit-reset-requests': `${(left / 1000).toFixed(2)}s` }
        up.setBehaviour({ [k]: { status: 429, headers: rig.signals(header) } })
      })
    }
    refresh()
    const timer = setInterval(refresh, 50)
    const lastReset = resetAt(keys.length - 1)
    // Past the last reset, long enough for a circuit opened at the start (circuit_open_seconds,
    // 30 s by default) to let its probe through.
    const tail = scaled(rig, 14_000, 1500)
    const firstReset = resetAt(0)
    const ms = lastReset + tail - Date.now()
    const shots = await drive(rig.chat('staggered', false), loadFor(rig, ms, ms))
    clearInterval(timer)
    return {
      shots,
      groupId,
      model: 'gpt-4o-mini',
      healthy: keys,
      recovery: { ms: firstSuccessAfter(shots, firstReset), within: lastReset + tail - firstReset },
    }
  },
}
