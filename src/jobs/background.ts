// Background work: log flushes on every node; log retention and re-validation of invalid keys
// on the master. It runs through the Scheduler, so Node uses timers and Workers uses Cron Triggers.
import type { Core } from '../core'
import { LOG_FLUSH_MS } from '../logs/writer'
import { forEachLimit, validateKey } from '../keys/validate'

const MINUTE = 60_000

/** Re-validates the invalid keys of every group whose interval has passed; a success restores. */
export const revalidateInvalidKeys = async (core: Core): Promise<void> => {
  const { deps, cache } = core
  // A key blacklisted a moment ago must be in the store before we read it back.
  await core.keys.flush()
  const now = deps.now()
  for (const entry of cache.all()) {
    const { group, settings } = entry
    // A disabled group is left alone; its disabled keys are not in the pool, so never listed here.
    if (group.group_type !== 'standard' || !group.enabled) continue
    const due =
      !group.last_validated_at ||
      now - group.last_validated_at.getTime() >= settings.key_validation_interval_minutes * MINUTE
    if (!due) continue
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

const guard = (core: Core, name: string, task: (core: Core) => Promise<void>) => async () => {
  try {
    await task(core)
  } catch (err) {
    core.deps.log('error', `${name} failed`, {
      error: err instanceof Error ? err.message : String(err),
    })
  }
}

/** Starts the periodic jobs (every node flushes its own logs); returns a function that stops them. */
export const startBackgroundJobs = (core: Core): (() => void) => {
  const { scheduler, config } = core.deps
  const stops = [
    // Every node writes its own rows, slaves included, every few seconds: rows show at once in
    // the console, and a killed process loses only those seconds.
    scheduler.every(
      LOG_FLUSH_MS,
      guard(core, 'log flush', () => {
        core.keys.retryWrites()
        return core.logs.tick()
      }),
    ),
  ]
  if (config.isMaster) {
    stops.push(
      scheduler.every(2 * 60 * MINUTE, guard(core, 'log cleanup', cleanupLogs)),
      scheduler.every(5 * MINUTE, guard(core, 'key re-validation', revalidateInvalidKeys)),
    )
  }
  return () => stops.forEach((stop) => stop())
}
