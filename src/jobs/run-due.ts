// runDueJobs(core, now): everything background that is due, for every runtime. Node calls it every
// TICK_MS from a timer, Workers from a Cron Trigger (and, for this isolate's own duties, after
// requests), tests with a fake clock. Per node: the config version check, the log flush, key
// health retries and resuming a key task nobody drives. Under the leader lease only: log retention and re-validation of each group at
// its own interval. Each part runs single-flight, so overlapping calls never run one job twice.
import type { Core } from '../core'
import { errorText } from '../errors'
import { LOG_FLUSH_MS } from '../logs/writer'
import { drainLogQueue } from '../logs/drain'
import { cleanupLogs, revalidateInvalidKeys } from './background'

/** How often Node ticks: config changes reach a node within this, plus the reload. */
export const TICK_MS = 500
/** The longest one tick's drain of the log queue runs before it yields to the next tick. */
export const DRAIN_BUDGET_MS = 2_000
/** How often the leader deletes logs past their retention. */
export const RETENTION_EVERY_MS = 2 * 60 * 60_000

const SLACK = 0.8

/** Runs `task` unless the same job is still running from an earlier call; logs its failure. */
const once = async (core: Core, name: string, task: () => Promise<unknown>): Promise<void> => {
  const { running } = core.jobs
  if (running.has(name)) return
  running.add(name)
  try {
    await task()
  } catch (err) {
    core.deps.log('error', `${name} failed`, { error: errorText(err) })
  } finally {
    running.delete(name)
  }
}

/** This node's own duties, whoever leads. */
export const runNodeJobs = async (core: Core, now: number): Promise<void> => {
  const { jobs } = core
  // At most one version read per TICK_MS, however often this is called (per request on Workers).
  // A timer fires a little early or late: a tick a few ms short of TICK_MS still counts.
  const check = now - jobs.lastCheck >= TICK_MS * SLACK
  if (check) jobs.lastCheck = now
  const flush = now - jobs.lastFlush >= LOG_FLUSH_MS * SLACK
  if (flush) jobs.lastFlush = now
  // A key task whose driver stopped, died or spent its budget goes on here, on any node.
  core.tasks.resume(now)
  await Promise.all([
    check && once(core, 'config check', () => core.sync.check()),
    flush &&
      once(core, 'log flush', () => {
        core.keys.retryWrites()
        return core.logs.tick()
      }),
  ])
}

export const runDueJobs = async (core: Core, now: number = core.deps.now()): Promise<void> => {
  await runNodeJobs(core, now)
  if (!(await core.leader.hold(now))) return
  const { jobs } = core
  const retention = now - jobs.lastRetention >= RETENTION_EVERY_MS
  if (retention) jobs.lastRetention = now
  const queue = core.deps.logQueue
  await Promise.all([
    queue &&
      once(core, 'log drain', () =>
        drainLogQueue(queue, core.deps.store, core.deps.now, DRAIN_BUDGET_MS, {
          stillLeads: core.leader.leads,
          usage: core.logs.usage,
        }),
      ),
    retention && once(core, 'log cleanup', () => cleanupLogs(core)),
    once(core, 'key re-validation', () =>
      // Each group re-checks the lease first: a slow group must not outlive the leadership.
      revalidateInvalidKeys(core, () => core.leader.hold(core.deps.now())),
    ),
  ])
}
