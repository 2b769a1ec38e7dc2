// Scenario 2: one key among 100 revoked (401 invalid_api_key); the other 99 stay healthy.
import { drive } from './client'
import { loadFor } from './load'
import { keyNames } from './rig'
import type { Scenario } from './types'

export const revokedKey: Scenario = {
  id: 'revoked-key',
  title: '2. 1 key of 100 revoked (401)',
  async run(rig) {
    const keys = keyNames(100)
    const up = await rig.upstream({ [keys[41]]: { status: 401 } })
    const groupId = await rig.group('revoked', [up], keys)
    const shots = await drive(rig.chat('revoked', false), loadFor(rig, 5000, 1500))
    return {
      shots,
      groupId,
      model: 'gpt-4o-mini',
      healthy: keys.filter((_, i) => i !== 41),
      recovery: null,
    }
  },
}
