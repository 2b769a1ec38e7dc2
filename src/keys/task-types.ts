// The key task's interface (src/keys/tasks.ts implements it): one task at a time in the whole
// deployment, stored as a resumable job so any node or isolate can continue it.
import type { KeyStatus, TaskStatus, TaskType } from '../store/types'

export type { TaskJob, TaskStatus, TaskType } from '../store/types'

export interface TaskStart {
  type: TaskType
  groupId: number
  groupName: string
  total: number
  /** Import and delete: the parsed keys. */
  keys?: string[]
  /** Validate: only keys in this status (default: every enabled key). */
  status?: KeyStatus
}

/**
 * How one drive ended: `done` (the task finished, or failed with its error recorded), `paused`
 * (budget spent or stopped; the lease is free for whoever continues), `busy` (another driver
 * holds the lease), `idle` (no task to run), `lost` (the lease lapsed under this driver).
 */
export type DriveOutcome = 'done' | 'paused' | 'busy' | 'idle' | 'lost'

/** How much one drive may do: wall time and chunks (Workers: CPU time and D1's query cap). */
export interface DriveBudget {
  ms: number
  chunks: number
}

export interface TaskRunner {
  /** The running or last task, as any node sees it. */
  status(): Promise<TaskStatus>
  /**
   * Stores the task and starts driving it in the background (deps.waitUntil); 409
   * TASK_IN_PROGRESS while one runs anywhere, driven or waiting to be resumed.
   */
  start(spec: TaskStart): Promise<TaskStatus>
  /** Drives the stored task within `budget` when nobody else drives it (runDueJobs, tests). */
  drive(budget?: Partial<DriveBudget>): Promise<DriveOutcome>
  /** From runNodeJobs: when due, continues in the background a running task nobody drives. */
  resume(now: number): void
  /**
   * On shutdown: stops this node's drive after its current chunk and frees the lease, so another
   * node resumes the task from its cursor at once.
   */
  close(): Promise<void>
}
