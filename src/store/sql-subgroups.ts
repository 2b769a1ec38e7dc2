// Store methods for aggregate membership (group_sub_groups, reference §3.3): list, add, re-weight or re-prioritise,
// delete, and the aggregates a group belongs to.
import { and, asc, eq } from 'drizzle-orm'
import type { Dialect } from './dialect'
import type { SqlDb } from './sql-util'
import type { Store } from './types'

type SubGroupMethods = Pick<
  Store,
  'listSubGroups' | 'addSubGroups' | 'updateSubGroup' | 'deleteSubGroup' | 'parentGroups'
>

export const createSqlSubGroups = (db: SqlDb, dialect: Dialect): SubGroupMethods => {
  const { groupSubGroups } = dialect.t
  const columns = {
    group_id: groupSubGroups.group_id,
    sub_group_id: groupSubGroups.sub_group_id,
    weight: groupSubGroups.weight,
    priority: groupSubGroups.priority,
  }
  const pair = (groupId: number, subGroupId: number) =>
    and(eq(groupSubGroups.group_id, groupId), eq(groupSubGroups.sub_group_id, subGroupId))
  return {
    listSubGroups(groupId) {
      const q = db.select(columns).from(groupSubGroups)
      const filtered = groupId === null ? q : q.where(eq(groupSubGroups.group_id, groupId))
      return filtered.orderBy(asc(groupSubGroups.id))
    },

    async addSubGroups(groupId, items) {
      if (items.length === 0) return
      const now = new Date()
      await db.insert(groupSubGroups).values(
        items.map((i) => ({
          group_id: groupId,
          sub_group_id: i.sub_group_id,
          weight: i.weight,
          priority: i.priority ?? 0,
          created_at: now,
          updated_at: now,
        })),
      )
    },

    async updateSubGroup(groupId, subGroupId, patch) {
      const result = await db
        .update(groupSubGroups)
        .set({ ...patch, updated_at: new Date() })
        .where(pair(groupId, subGroupId))
      return dialect.changes(result) > 0
    },

    async deleteSubGroup(groupId, subGroupId) {
      const result = await db.delete(groupSubGroups).where(pair(groupId, subGroupId))
      return dialect.changes(result) > 0
    },

    parentGroups(subGroupId) {
      return db
        .select(columns)
        .from(groupSubGroups)
        .where(eq(groupSubGroups.sub_group_id, subGroupId))
        .orderBy(asc(groupSubGroups.id))
    },
  }
}
