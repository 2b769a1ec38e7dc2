// Store methods for the shared key task (task_state, one row with id 1): the lease lock and the
// status every node reads. Each method is one SQL statement, so it is atomic across nodes on
// libsql and on D1 alike, with no interactive transaction (D1 has none).
import { and, eq, lte, or } from 'drizzle-orm'
import { taskState } from './schema.sqlite'
import type { SqlDb } from './sql-util'
import type { Store } from './types'

type TaskMethods = Pick<
  Store,
  'acquireTask' | 'renewTask' | 'saveTaskStatus' | 'releaseTask' | 'getTaskState'
>

const ROW = 1
const row = eq(taskState.id, ROW)
const ownedBy = (owner: string) => and(row, eq(taskState.owner, owner))

export const createSqlTasks = (db: SqlDb): TaskMethods => ({
  async acquireTask(owner, leaseUntil, now, status) {
    if (!owner) throw new TypeError('acquireTask: owner must not be empty')
    // Insert the row, or take it over only when nobody holds a live lease: the check and the
    // write are one upsert, so two nodes racing here cannot both see "free" and both win.
    // RETURNING yields a row only when the insert or the update happened.
    const won = await db
      .insert(taskState)
      .values({ id: ROW, owner, lease_until: leaseUntil, status })
      .onConflictDoUpdate({
        target: taskState.id,
        set: { owner, lease_until: leaseUntil, status },
        setWhere: or(eq(taskState.owner, ''), lte(taskState.lease_until, now)),
      })
      .returning({ owner: taskState.owner })
    return won.length > 0
  },

  async renewTask(owner, leaseUntil) {
    const rows = await db
      .update(taskState)
      .set({ lease_until: leaseUntil })
      .where(ownedBy(owner))
      .returning({ id: taskState.id })
    return rows.length > 0
  },

  async saveTaskStatus(owner, status) {
    const rows = await db
      .update(taskState)
      .set({ status })
      .where(ownedBy(owner))
      .returning({ id: taskState.id })
    return rows.length > 0
  },

  async releaseTask(owner, status) {
    const rows = await db
      .update(taskState)
      .set({ owner: '', lease_until: 0, status })
      .where(ownedBy(owner))
      .returning({ id: taskState.id })
    return rows.length > 0
  },

  async getTaskState() {
    const [state] = await db
      .select({
        owner: taskState.owner,
        lease_until: taskState.lease_until,
        status: taskState.status,
      })
      .from(taskState)
      .where(row)
    return state ?? null
  },
})
