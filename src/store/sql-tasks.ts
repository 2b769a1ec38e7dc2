// Store methods for the shared key task's status (task_state, one row with id 1). The lock is the
// coordination lease `task` (src/keys/tasks.ts); here `owner` only fences writes, so a node that
// lost the lease cannot overwrite its successor's status. One statement each.
import { and, eq } from 'drizzle-orm'
import type { Dialect } from './dialect'
import type { SqlDb } from './sql-util'
import type { Store } from './types'

type TaskMethods = Pick<Store, 'startTask' | 'saveTaskStatus' | 'getTaskState'>

const ROW = 1

export const createSqlTasks = (db: SqlDb, dialect: Dialect): TaskMethods => {
  const { taskState } = dialect.t
  const row = eq(taskState.id, ROW)
  return {
    async startTask(owner, status) {
      if (!owner) throw new TypeError('startTask: owner must not be empty')
      await dialect.upsert(db.insert(taskState).values({ id: ROW, owner, status }), {
        target: taskState.id,
        set: { owner, status },
      })
    },

    async saveTaskStatus(owner, status) {
      const result = await db
        .update(taskState)
        .set({ status })
        .where(and(row, eq(taskState.owner, owner)))
      return dialect.changes(result) > 0
    },

    async getTaskState() {
      const [state] = await db
        .select({ owner: taskState.owner, status: taskState.status })
        .from(taskState)
        .where(row)
      return state ?? null
    },
  }
}
