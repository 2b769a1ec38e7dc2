// Manual key checks (validate-group task, test-multiple): validate a key and apply the result as
// v1 does (§4.3), but fairly: a success restores the key and resets its count; a failure counts
// only when the upstream rejected the key itself, never for 5xx, 429 or a timeout.
import type { GroupEntry } from '../config/cache'
import type { Core } from '../core'
import { validateKey, type ValidationResult } from './validate'

export interface CheckedKey {
  id: number
  key_value: string
  /** False when the key is known to be active with no failures, so a success writes nothing. */
  needsRestore?: boolean
}

export const checkKey = async (
  core: Core,
  entry: GroupEntry,
  key: CheckedKey,
): Promise<ValidationResult> => {
  const groupId = entry.group.id
  const r = await validateKey(core, entry, key.key_value)
  if (r.ok) {
    if (key.needsRestore !== false) await core.keys.restoreIds(groupId, [key.id], 'validation')
  } else if (r.authFailure) {
    const policy = { blacklistThreshold: entry.settings.blacklist_threshold }
    const cause = { status: r.status, message: r.error }
    await core.keys.report(groupId, key.id, { kind: 'auth_failure' }, policy, cause)
  }
  return r
}
