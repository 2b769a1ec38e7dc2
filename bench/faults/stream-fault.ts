// Scenarios 6–8 share a shape: streams on 10 keys, 3 of which misbehave in the stream.
import type { Behaviour } from '../../test/helpers/fake-upstream'
import { drive } from './client'
import { loadFor } from './load'
import { keyNames } from './rig'
import type { Rig } from './rig'
import type { Scenario } from './types'

export const streamFault = (
  id: string,
  title: string,
  needs: string[],
  fault: (rig: Rig) => Behaviour,
  /** Load duration, full and --quick: longer than the client's timeout when keys hang. */
  [fullMs, quickMs] = [5000, 1500],
): Scenario => ({
  id,
  title,
  needs,
  async run(rig) {
    const keys = keyNames(10)
    // Spread out, so that concurrent first requests do not all land on broken keys.
    const broken = [keys[2], keys[5], keys[8]]
    const b = fault(rig)
    const up = await rig.upstream(Object.fromEntries(broken.map((k) => [k, b])))
    const groupId = await rig.group(id, [up], keys)
    const shots = await drive(rig.chat(id, true), loadFor(rig, fullMs, quickMs))
    return {
      shots,
      groupId,
      model: 'gpt-4o-mini',
      healthy: keys.filter((k) => !broken.includes(k)),
      recovery: null,
    }
  },
})
