// The long-running key task (import, delete, validate; reference §2.5): one at a time per
// deployment, with progress for GET /api/tasks/status. The lock sits behind TaskLock so a Kv lock
// can replace the in-process one; it is released in a finally, so a crash never blocks (§8.1 #11).
import type { Deps } from './deps'
import { AppError } from './errors'

export type TaskType = 'KEY_VALIDATION' | 'KEY_IMPORT' | 'KEY_DELETE'

export interface TaskStatus {
  task_type: TaskType | ''
  is_running: boolean
  group_name: string
  processed: number
  total: number
  result?: Record<string, number>
  error?: string
  /** RFC 3339; null when no task has run yet. */
  started_at: string | null
  finished_at?: string
  duration_seconds?: number
}

/** Who may run a task: true from acquire means this caller holds the lock until release. */
export interface TaskLock {
  acquire(): Promise<boolean>
  release(): Promise<void>
}

export interface TaskSpec {
  type: TaskType
  groupName: string
  total: number
  /** The work; `progress` records how many items are done. Resolves to the task's result. */
  run(progress: (processed: number) => void): Promise<Record<string, number>>
}

export interface TaskRunner {
  status(): TaskStatus
  /** Starts the task in the background; 409 TASK_IN_PROGRESS when one is running. */
  start(spec: TaskSpec): Promise<TaskStatus>
}

/** The in-process lock: enough while one node runs tasks. */
export const createMemoryTaskLock = (): TaskLock => {
  let held = false
  return {
    acquire: async () => {
      if (held) return false
      held = true
      return true
    },
    release: async () => {
      held = false
    },
  }
}

const IDLE: TaskStatus = {
  task_type: '',
  is_running: false,
  group_name: '',
  processed: 0,
  total: 0,
  started_at: null,
}

export const createTaskRunner = (deps: Deps, lock: TaskLock): TaskRunner => {
  let current: TaskStatus = IDLE

  return {
    status: () => ({ ...current }),

    async start(spec) {
      if (!(await lock.acquire())) {
        throw new AppError(409, 'TASK_IN_PROGRESS', 'A task is already running, please wait')
      }
      const startedAt = deps.now()
      const task: TaskStatus = {
        task_type: spec.type,
        is_running: true,
        group_name: spec.groupName,
        processed: 0,
        total: spec.total,
        started_at: new Date(startedAt).toISOString(),
      }
      current = task
      const work = (async () => {
        try {
          task.result = await spec.run((n) => {
            task.processed = Math.min(n, task.total)
          })
          task.processed = task.total
        } catch (err) {
          task.error = err instanceof Error ? err.message : String(err)
          deps.log('error', 'task failed', { type: spec.type, error: task.error })
        } finally {
          const end = deps.now()
          task.is_running = false
          task.finished_at = new Date(end).toISOString()
          task.duration_seconds = (end - startedAt) / 1000
          await lock.release()
        }
      })()
      deps.waitUntil(work)
      return { ...task }
    },
  }
}
