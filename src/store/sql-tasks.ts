// Store methods for the shared key task (task_state, one row with id 1, and its input in
// task_input). The lock is the coordination lease `task` (src/keys/task-drive.ts); here `owner`
// only fences writes, so a driver that lost the lease cannot overwrite its successor's state.
import { and, eq, sql } from 'drizzle-orm'
import type { Dialect } from './dialect'
import { runBatches, type SqlDb } from './sql-util'
import type { Store } from './types'

type TaskMethods = Pick<
  Store,
  'startTask' | 'saveTaskStatus' | 'claimTask' | 'getTaskState' | 'putTaskInput' | 'getTaskInput'
>

const ROW = 1

export const createSqlTasks = (db: SqlDb, dialect: Dialect): TaskMethods => {
  const { taskState, taskInput } = dialect.t
  const row = eq(taskState.id, ROW)
  return {
    async startTask(owner, status, job = null) {
      if (!owner) throw new TypeError('startTask: owner must not be empty')
      await dialect.upsert(db.insert(taskState).values({ id: ROW, owner, status, job }), {
        target: taskState.id,
        set: { owner, status, job },
      })
    },

    async saveTaskStatus(owner, status, job) {
      const result = await db
        .update(taskState)
        .set(job ? { status, job } : { status })
        .where(and(row, eq(taskState.owner, owner)))
      return dialect.changes(result) > 0
    },

    async claimTask(from, to) {
      if (!to) throw new TypeError('claimTask: owner must not be empty')
      const result = await db
        .update(taskState)
        .set({ owner: to })
        .where(and(row, eq(taskState.owner, from)))
      return dialect.changes(result) > 0
    },

    async getTaskState() {
      const [state] = await db
        .select({ owner: taskState.owner, status: taskState.status, job: taskState.job })
        .from(taskState)
        .where(row)
      return state ? { ...state, job: state.job ?? null } : null
    },

    async putTaskInput(parts) {
      // One bound parameter per part: D1's statement and parameter limits do not bind here, and
      // a part's size is bounded by its writer (TASK_PART_KEYS).
      await runBatches(db, (q) => [
        q.delete(taskInput).where(sql`true`),
        ...parts.map((keys, seq) => q.insert(taskInput).values({ seq, keys })),
      ])
    },

    async getTaskInput(seq) {
      const [part] = await db
        .select({ keys: taskInput.keys })
        .from(taskInput)
        .where(eq(taskInput.seq, seq))
      return part?.keys ?? null
    },
  }
}
