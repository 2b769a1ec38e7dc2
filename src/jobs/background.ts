// The leader's background jobs: re-validation of invalid keys per group at its own interval, and
// log retention. src/jobs/run-due.ts decides when they run.
import type { Core } from '../core'
import { forEachLimit, validateKey } from '../keys/validate'

const MINUTE = 60_000

/**
 * Re-validates the invalid keys of every group whose interval has passed; a success restores.
 * `stillLeader` is asked before each group, so work stops as soon as the leadership is lost.
 */
export const revalidateInvalidKeys = async (
  core: Core,
  stillLeader: () => Promise<boolean> = async () => true,
): Promise<void> => {
  const { deps, cache } = core
  const now = deps.now()
  // A disabled group is left alone; its disabled keys are not in the pool, so never listed here.
  const due = cache.all().filter(({ group, settings }) => {
    if (group.group_type !== 'standard' || !group.enabled) return false
    const last = group.last_validated_at?.getTime()
    return last === undefined || now - last >= settings.key_validation_interval_minutes * MINUTE
  })
  if (due.length === 0) return
  // A key blacklisted a moment ago must be in the store before we read it back.
  await core.keys.flush()
  for (const entry of due) {
    if (!(await stillLeader())) return
    const { group, settings } = entry
    const ids = await deps.pool.invalidIds(group.id)
    const restored: number[] = []
    await forEachLimit(ids, settings.key_validation_concurrency, async (id) => {
      const key = await deps.store.getKey(id)
      if (!key || key.status !== 'invalid' || !key.enabled) return
      const r = await validateKey(core, entry, key.key_value)
      if (r.ok) restored.push(id)
    })
    if (restored.length) {
      // Only keys stored as invalid were checked above.
      await core.keys.restoreIds(group.id, restored, 'validation', 'invalid')
      deps.log('info', 'keys restored by validation', { group: group.name, count: restored.length })
    }
    await deps.store.setGroupValidatedAt(group.id, new Date(now))
    group.last_validated_at = new Date(now)
  }
}

export const cleanupLogs = async (core: Core): Promise<void> => {
  const days = core.cache.settings().request_log_retention_days
  if (days <= 0) return
  const n = await core.deps.store.deleteLogsBefore(
    new Date(core.deps.now() - days * 24 * 60 * MINUTE),
  )
  if (n) core.deps.log('info', 'old request logs deleted', { count: n })
}
