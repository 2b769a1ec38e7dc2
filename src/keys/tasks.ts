// The long-running key task (import, delete, validate; reference §2.5): one at a time in the whole
// deployment, with progress for GET /api/tasks/status on every node. The lock is the coordination
// lease `task`, which the running node renews, so a crashed node's lock lapses by itself; the
// status lives in the shared store (task_state), written throttled so a 100k import is not 100k
// writes, and fenced by owner so a node that lost the lease cannot overwrite its successor.
import { LEASE_TASK, type Lease } from '../coord/types'
import type { Deps } from '../deps'
import { AppError, errorText } from '../errors'
import type { TaskState, TaskStatus, TaskType } from '../store/types'

export type { TaskStatus, TaskType } from '../store/types'

export interface TaskSpec {
  type: TaskType
  groupName: string
  total: number
  /** The work; `progress` records how many items are done. Resolves to the task's result. */
  run(progress: (processed: number) => void): Promise<Record<string, number>>
}

export interface TaskRunner {
  /** The running or last task, as any node sees it. */
  status(): Promise<TaskStatus>
  /** Starts the task in the background; 409 TASK_IN_PROGRESS when one runs on any node. */
  start(spec: TaskSpec): Promise<TaskStatus>
  /**
   * On shutdown: records this node's running task as interrupted and frees the lock at once, so
   * a restarted node need not wait out the lease. The work itself ends with the process.
   */
  close(): Promise<void>
}

export interface TaskRunnerOptions {
  /** How long a lock lives without renewal: how soon a crashed node's task stops blocking. */
  leaseMs?: number
  /** How often the running node renews; well under leaseMs so a slow write cannot lose it. */
  renewMs?: number
  /** Least time between progress writes; start and finish are always written. */
  saveEveryMs?: number
}

const LEASE_MS = 60_000
const RENEW_MS = 15_000
const SAVE_EVERY_MS = 1_000

const IDLE: TaskStatus = {
  task_type: '',
  is_running: false,
  group_name: '',
  processed: 0,
  total: 0,
  started_at: null,
}

/** The stored row as clients see it: a running status whose owner lost the lease was interrupted. */
const toStatus = (state: TaskState | null, holder: Lease | null): TaskStatus => {
  if (!state?.status) return { ...IDLE }
  const live = state.owner !== '' && holder?.owner === state.owner
  if (!state.status.is_running || live) return { ...state.status }
  return {
    ...state.status,
    is_running: false,
    error: state.status.error ?? 'interrupted: the node running it stopped',
  }
}

export const createTaskRunner = (deps: Deps, opts: TaskRunnerOptions = {}): TaskRunner => {
  const { store, coord } = deps
  const leaseMs = opts.leaseMs ?? LEASE_MS
  const renewMs = opts.renewMs ?? RENEW_MS
  const saveEveryMs = opts.saveEveryMs ?? SAVE_EVERY_MS
  // The task this node runs: its own status is fresher than the throttled copy in the store.
  let local: { owner: string; status: TaskStatus; lost: boolean } | null = null

  return {
    async status() {
      if (local && !local.lost) return { ...local.status }
      const [state, holder] = await Promise.all([store.getTaskState(), coord.holder(LEASE_TASK)])
      return toStatus(state, holder)
    },

    async start(spec) {
      const owner = crypto.randomUUID()
      const startedAt = deps.now()
      const task: TaskStatus = {
        task_type: spec.type,
        is_running: true,
        group_name: spec.groupName,
        processed: 0,
        total: spec.total,
        started_at: new Date(startedAt).toISOString(),
      }
      if (!(await coord.acquire(LEASE_TASK, owner, leaseMs))) {
        throw new AppError(409, 'TASK_IN_PROGRESS', 'A task is already running, please wait')
      }
      try {
        await store.startTask(owner, task)
      } catch (err) {
        await coord.release(LEASE_TASK, owner).catch(() => {})
        throw err
      }
      const mine = { owner, status: task, lost: false }
      local = mine
      const fail = (msg: string) => (err: unknown) =>
        deps.log('warn', msg, { type: spec.type, error: errorText(err) })

      const renew = async () => {
        try {
          if (!(await coord.renew(LEASE_TASK, owner, leaseMs))) {
            // Only after a lapse (renewals missed for a whole lease): another node may run now.
            mine.lost = true
            deps.log('warn', 'task lease lost', { type: spec.type })
          }
        } catch (err) {
          fail('task lease renewal failed')(err)
        }
      }

      // At most one progress write in flight, and none within saveEveryMs of the last.
      let lastSave = startedAt
      let saving: Promise<unknown> | null = null
      const progress = (n: number) => {
        task.processed = Math.min(n, task.total)
        const now = deps.now()
        if (saving || mine.lost || now - lastSave < saveEveryMs) return
        lastSave = now
        saving = store
          .saveTaskStatus(owner, { ...task })
          .catch(fail('task progress write failed'))
          .finally(() => {
            saving = null
          })
      }

      const work = (async () => {
        const timer = setInterval(() => void renew(), renewMs)
        try {
          task.result = await spec.run(progress)
          task.processed = task.total
        } catch (err) {
          task.error = errorText(err)
          deps.log('error', 'task failed', { type: spec.type, error: task.error })
        } finally {
          clearInterval(timer)
          const end = deps.now()
          task.is_running = false
          task.finished_at = new Date(end).toISOString()
          task.duration_seconds = (end - startedAt) / 1000
          // The last progress write lands first, so it cannot overwrite the final status.
          await saving
          // A lost task (lease lapsed, or the node shut down) leaves the status to whoever
          // recorded that: its successor, or close().
          if (!mine.lost) {
            await store.saveTaskStatus(owner, { ...task }).catch(fail('task status write failed'))
            await coord.release(LEASE_TASK, owner).catch(fail('task release failed'))
          }
          if (local === mine) local = null
        }
      })()
      deps.waitUntil(work)
      return { ...task }
    },

    async close() {
      if (!local || local.lost) return
      const end = deps.now()
      const stopped: TaskStatus = {
        ...local.status,
        is_running: false,
        error: 'interrupted: the node shut down',
        finished_at: new Date(end).toISOString(),
      }
      // Lost from here on. Written under a new owner, so the store refuses the task's later
      // writes, including a progress write already on its way.
      local.lost = true
      await store.startTask(crypto.randomUUID(), stopped)
      await coord.release(LEASE_TASK, local.owner)
    },
  }
}
