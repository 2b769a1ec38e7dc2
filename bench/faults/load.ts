// The load every scenario uses unless it says otherwise, scaled for --quick.
import type { Load } from './client'
import type { Rig } from './rig'

/** The full-run value, or the quick one under --quick. */
export const scaled = (rig: Rig, full: number, quick: number) => (rig.quick ? quick : full)

export const loadFor = (rig: Rig, fullMs: number, quickMs: number): Load => ({
  ms: scaled(rig, fullMs, quickMs),
  concurrency: 3,
  gapMs: 20,
  // Longer than max_wait_for_key_ms, shorter than the stalls of scenarios 6 and 7.
  timeoutMs: scaled(rig, 6000, 3000),
})
