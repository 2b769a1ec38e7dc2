// driveTask: continues the stored key task for one budget, on whichever node or isolate calls it.
// It takes the coordination lease `task` (or keeps the starter's), becomes the row's writer, runs
// chunks from the saved cursor, renews the lease and saves the cursor after each chunk (no timers),
// and returns when the task is done or the budget is spent, freeing the lease either way.
import type { Core } from '../core'
import { LEASE_TASK } from '../coord/types'
import { errorText, notFound } from '../errors'
import type { TaskJob, TaskStatus } from '../store/types'
import type { DriveBudget, DriveOutcome } from './task-types'
import { processedOf, runChunk } from './task-work'

export interface DriveOptions {
  budget: DriveBudget
  /** How long the lease lives without renewal: how soon a dead driver's task is resumed. */
  leaseMs: number
  /** Least time between progress writes within a chunk (validation); cursors save per chunk. */
  saveEveryMs: number
  /** True once the drive must stop (shutdown): it pauses after the current chunk. */
  stopped(): boolean
  /** This drive's live status, fresher than the stored one. */
  onStatus(status: TaskStatus | null): void
  /** The starter's id: it holds the lease and the row already. */
  held?: string
}

/** The final status: result counts, times; `processed` reaches the total on success. */
const finished = (status: TaskStatus, job: TaskJob, end: number, error?: string): TaskStatus => ({
  ...status,
  is_running: false,
  processed: error ? processedOf(job) : status.total,
  result: job.counts,
  ...(error ? { error } : {}),
  finished_at: new Date(end).toISOString(),
  duration_seconds: (end - job.started_ms) / 1000,
})

export const driveTask = async (core: Core, opts: DriveOptions): Promise<DriveOutcome> => {
  const { store, coord, now, log } = core.deps
  const owner = opts.held ?? crypto.randomUUID()
  if (!opts.held && !(await coord.acquire(LEASE_TASK, owner, opts.leaseMs))) return 'busy'
  let lost = false
  try {
    const state = await store.getTaskState()
    if (!state?.status?.is_running || !state.job) return 'idle'
    if (!opts.held && !(await store.claimTask(state.owner, owner))) return 'busy'
    let { job, status } = { job: state.job, status: state.status }
    const started = now()
    let renewedAt = started
    let savedAt = started
    let changed = false
    let saving: Promise<unknown> | null = null

    // A renewal when a third of the lease has passed: called between chunks and within long ones.
    const keepAlive = async () => {
      if (lost || now() - renewedAt < opts.leaseMs / 3) return
      renewedAt = now()
      if (!(await coord.renew(LEASE_TASK, owner, opts.leaseMs))) lost = true
    }
    const show = (s: TaskStatus) => {
      status = s
      opts.onStatus(s)
    }
    const hooks = {
      // Within a chunk too: a page of slow validations must not outrun the budget.
      stopped: () => lost || opts.stopped() || now() - started >= opts.budget.ms,
      progress(inChunk: number) {
        show({ ...status, processed: Math.min(processedOf(job) + inChunk, status.total) })
        if (saving || now() - savedAt < opts.saveEveryMs) return
        savedAt = now()
        saving = Promise.all([store.saveTaskStatus(owner, status), keepAlive()])
          .catch((err) => log('warn', 'task progress write failed', { error: errorText(err) }))
          .finally(() => (saving = null))
      },
    }

    try {
      if (!(await store.getGroup(job.group_id))) throw notFound(`Group ${job.group_id} not found`)
      for (let n = 0; ; n++) {
        const r = await runChunk(core, job, hooks)
        await saving
        changed ||= r.changed
        job = r.job
        if (r.done) break
        await keepAlive()
        if (lost) return 'lost'
        show({ ...status, processed: Math.min(processedOf(job), status.total) })
        // Saved per chunk with the cursor, so a successor redoes at most one chunk.
        if (!(await store.saveTaskStatus(owner, status, job))) return ((lost = true), 'lost')
        const spent = n + 1 >= opts.budget.chunks || now() - started >= opts.budget.ms
        if (spent || opts.stopped()) return 'paused'
      }
      if (lost) return 'lost'
      show(finished(status, job, now()))
    } catch (err) {
      if (lost) return 'lost'
      log('error', 'task failed', { type: job.kind, error: errorText(err) })
      show(finished(status, job, now(), errorText(err)))
    } finally {
      // The request's own bump came before these keys were written: other nodes' pools learn
      // of them from this one.
      if (changed) await core.configChanged().catch(() => {})
    }
    if (!(await store.saveTaskStatus(owner, status, job))) return ((lost = true), 'lost')
    // The keys are secrets, and the next start replaces them anyway.
    await store.putTaskInput([]).catch(() => {})
    return 'done'
  } finally {
    opts.onStatus(null)
    if (!lost) await coord.release(LEASE_TASK, owner).catch(() => {})
  }
}
