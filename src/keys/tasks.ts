// The long-running key task (import, delete, validate; reference §2.5): one at a time in the whole
// deployment, stored as a resumable job (task_state, its input in task_input) so that any node or
// isolate continues it from its cursor (src/keys/task-drive.ts). The starter drives it through
// deps.waitUntil; runNodeJobs resumes a task whose driver stopped, died or ran out of budget.
import type { Core } from '../core'
import { LEASE_TASK, type Lease } from '../coord/types'
import { AppError, errorText } from '../errors'
import type { TaskJob, TaskState, TaskStatus } from '../store/types'
import { driveTask } from './task-drive'
import type { DriveBudget, DriveOutcome, TaskRunner } from './task-types'
import { toInputParts } from './task-work'

export type { TaskRunner, TaskStart, TaskStatus, TaskType } from './task-types'

export interface TaskRunnerOptions {
  /** How long a lease lives without renewal: how soon a dead driver's task is resumed. */
  leaseMs?: number
  /** Least time between progress writes within a chunk; cursors save per chunk. */
  saveEveryMs?: number
  /** How often runNodeJobs looks for a task nobody drives (one read of the task row). */
  resumeEveryMs?: number
}

const LEASE_MS = 60_000
const SAVE_EVERY_MS = 1_000
const RESUME_EVERY_MS = 2_000

const IDLE: TaskStatus = {
  task_type: '',
  is_running: false,
  group_name: '',
  processed: 0,
  total: 0,
  started_at: null,
}

/**
 * The stored row as clients see it. A running status without a job (written before tasks were
 * resumable) cannot be continued: once its writer's lease is gone, it was interrupted.
 */
const toStatus = (state: TaskState | null, holder: Lease | null): TaskStatus => {
  if (!state?.status) return { ...IDLE }
  if (!state.status.is_running || state.job || holder?.owner === state.owner) {
    return { ...state.status }
  }
  return {
    ...state.status,
    is_running: false,
    error: state.status.error ?? 'interrupted: the node running it stopped',
  }
}

const busy = () => new AppError(409, 'TASK_IN_PROGRESS', 'A task is already running, please wait')

export const createTaskRunner = (core: Core, opts: TaskRunnerOptions = {}): TaskRunner => {
  const { deps } = core
  const { store, coord } = deps
  const leaseMs = opts.leaseMs ?? LEASE_MS
  const resumeEveryMs = opts.resumeEveryMs ?? RESUME_EVERY_MS
  // Absent (Node): a drive runs until the task is done, as fast as one loop can.
  const full: DriveBudget = {
    ms: deps.config.taskBudget?.ms ?? Infinity,
    chunks: deps.config.taskBudget?.chunks ?? Infinity,
  }
  // This node's drive: one at a time, its status fresher than the stored one.
  let driving: Promise<DriveOutcome> | null = null
  let local: TaskStatus | null = null
  let closed = false
  let checkedAt = -Infinity

  const drive = (budget: DriveBudget, held?: string): Promise<DriveOutcome> => {
    // The starter's drive waits for this node's previous one (still freeing the lease).
    if (driving && held) return driving.then(() => drive(budget, held))
    if (driving || (closed && !held)) return Promise.resolve<DriveOutcome>('busy')
    const run = driveTask(core, {
      budget,
      leaseMs,
      saveEveryMs: opts.saveEveryMs ?? SAVE_EVERY_MS,
      stopped: () => closed,
      onStatus: (s) => (local = s),
      held,
    })
      .catch((err): DriveOutcome => {
        deps.log('error', 'task drive failed', { error: errorText(err) })
        return 'paused'
      })
      .finally(() => (driving = null))
    driving = run
    return run
  }

  return {
    async status() {
      if (local) return { ...local }
      const state = await store.getTaskState()
      const orphan = state?.status?.is_running && !state.job
      return toStatus(state, orphan ? await coord.holder(LEASE_TASK) : null)
    },

    async start(spec) {
      const owner = crypto.randomUUID()
      if (closed || !(await coord.acquire(LEASE_TASK, owner, leaseMs))) throw busy()
      let job: TaskJob
      let status: TaskStatus
      try {
        // A task between drives holds no lease, yet still runs.
        const state = await store.getTaskState()
        if (state?.status?.is_running && state.job) throw busy()
        const parts = spec.keys ? toInputParts(spec.keys) : []
        const at = deps.now()
        job = {
          kind: spec.type,
          group_id: spec.groupId,
          ...(spec.status ? { status_filter: spec.status } : {}),
          parts: parts.length,
          cursor: 0,
          counts: {},
          started_ms: at,
        }
        status = {
          task_type: spec.type,
          is_running: true,
          group_name: spec.groupName,
          processed: 0,
          total: spec.total,
          started_at: new Date(at).toISOString(),
        }
        await store.putTaskInput(parts)
        await store.startTask(owner, status, job)
      } catch (err) {
        await coord.release(LEASE_TASK, owner).catch(() => {})
        throw err
      }
      local = status
      deps.waitUntil(drive(full, owner))
      return { ...status }
    },

    drive: (budget = {}) => drive({ ...full, ...budget }),

    resume(now) {
      if (closed || driving || now - checkedAt < resumeEveryMs) return
      checkedAt = now
      const check = async () => {
        const state = await store.getTaskState()
        if (!state?.status?.is_running || !state.job) return
        await drive(full)
      }
      deps.waitUntil(
        check().catch((err) => deps.log('warn', 'task resume failed', { error: errorText(err) })),
      )
    },

    async close() {
      closed = true
      await driving
    },
  }
}
