// Store methods for system settings and groups over drizzle, on the Dialect's tables.
import { and, asc, eq, ne, or } from 'drizzle-orm'
import { AppError } from '../errors'
import type { Dialect } from './dialect'
import { chunk, MAX_PARAMS, runBatch, type SqlDb } from './sql-util'
import type { Group, GroupInput, Store } from './types'

type SettingsMethods = Pick<Store, 'getSettings' | 'putSettings' | 'seedSettings'>
type GroupMethods = Pick<
  Store,
  | 'listGroups'
  | 'getGroup'
  | 'getGroupByName'
  | 'createGroup'
  | 'updateGroup'
  | 'deleteGroup'
  | 'setGroupValidatedAt'
  | 'setGroupEnabled'
  | 'setGroupSorts'
>

// Five bound values per settings row: key, value, description, created_at, updated_at.
const SETTINGS_PER_STMT = Math.floor(MAX_PARAMS / 5)

const toSettingRows = (values: Record<string, string>, now: Date) =>
  Object.entries(values).map(([setting_key, setting_value]) => ({
    setting_key,
    setting_value: String(setting_value),
    created_at: now,
    updated_at: now,
  }))

export const createSqlSettings = (db: SqlDb, dialect: Dialect): SettingsMethods => {
  const { systemSettings } = dialect.t
  return {
    async getSettings() {
      const rows = await db
        .select({ key: systemSettings.setting_key, value: systemSettings.setting_value })
        .from(systemSettings)
      return Object.fromEntries(rows.map((r) => [r.key, r.value]))
    },

    async putSettings(values) {
      const rows = chunk(toSettingRows(values, new Date()), SETTINGS_PER_STMT)
      await runBatch(db, (q) =>
        rows.map((part) =>
          dialect.upsert(q.insert(systemSettings).values(part), {
            target: systemSettings.setting_key,
            set: {
              setting_value: dialect.proposed(systemSettings.setting_value),
              updated_at: dialect.proposed(systemSettings.updated_at),
            },
          }),
        ),
      )
    },

    async seedSettings(values) {
      const rows = chunk(toSettingRows(values, new Date()), SETTINGS_PER_STMT)
      await runBatch(db, (q) =>
        rows.map((part) => dialect.insertIgnore(q.insert(systemSettings).values(part))),
      )
    },
  }
}

/** The writable group fields of an input or patch: ids and timestamps are ours to set. */
const groupFields = (input: Partial<GroupInput>): Partial<GroupInput> => {
  const {
    id: _id,
    created_at: _c,
    updated_at: _u,
    last_validated_at: _v,
    enabled: _e,
    ...rest
  } = input as Partial<Group>
  return rest
}

const duplicateName = (name: string) =>
  new AppError(409, 'DUPLICATE_RESOURCE', `group name '${name}' already exists`)

export const createSqlGroups = (db: SqlDb, dialect: Dialect): GroupMethods => {
  const { apiKeys, groups, groupSubGroups } = dialect.t
  const getGroup = async (id: number): Promise<Group | null> => {
    const [row] = await db.select().from(groups).where(eq(groups.id, id)).limit(1)
    return row ?? null
  }

  return {
    listGroups: () => db.select().from(groups).orderBy(asc(groups.sort), asc(groups.id)),

    getGroup,

    async getGroupByName(name) {
      const [row] = await db.select().from(groups).where(eq(groups.name, name)).limit(1)
      return row ?? null
    },

    async createGroup(input) {
      const now = new Date()
      // Ignoring the conflict turns a taken name into a write of no row, on every driver alike;
      // the row is read back in the same batch (no RETURNING, which MySQL lacks).
      const [inserted, rows] = await runBatch(db, (q) => [
        dialect.insertIgnore(
          q
            .insert(groups)
            .values({ ...(groupFields(input) as GroupInput), created_at: now, updated_at: now }),
          groups.name,
        ),
        q.select().from(groups).where(eq(groups.name, input.name)).limit(1),
      ])
      if (dialect.changes(inserted) === 0) throw duplicateName(input.name)
      return (rows as Group[])[0]
    },

    async updateGroup(id, patch) {
      const fields = groupFields(patch)
      if (fields.name !== undefined) {
        const [taken] = await db
          .select({ id: groups.id })
          .from(groups)
          .where(and(eq(groups.name, fields.name), ne(groups.id, id)))
          .limit(1)
        if (taken) throw duplicateName(fields.name)
      }
      try {
        const [, rows] = await runBatch(db, (q) => [
          q
            .update(groups)
            .set({ ...fields, updated_at: new Date() })
            .where(eq(groups.id, id)),
          q.select().from(groups).where(eq(groups.id, id)).limit(1),
        ])
        return (rows as Group[])[0] ?? null
      } catch (err) {
        // A concurrent rename can still win between the check and the update.
        if (fields.name !== undefined && dialect.isUniqueViolation(err))
          throw duplicateName(fields.name)
        throw err
      }
    },

    async deleteGroup(id) {
      const results = await runBatch(db, (q) => [
        q.delete(apiKeys).where(eq(apiKeys.group_id, id)),
        // Memberships on either side would dangle once the group is gone.
        q
          .delete(groupSubGroups)
          .where(or(eq(groupSubGroups.group_id, id), eq(groupSubGroups.sub_group_id, id))),
        q.delete(groups).where(eq(groups.id, id)),
      ])
      return dialect.changes(results[2]) > 0
    },

    async setGroupValidatedAt(id, at) {
      await db.update(groups).set({ last_validated_at: at }).where(eq(groups.id, id))
    },

    async setGroupEnabled(id, enabled) {
      const result = await db
        .update(groups)
        .set({ enabled, updated_at: new Date() })
        .where(eq(groups.id, id))
      return dialect.changes(result) > 0
    },

    async setGroupSorts(items) {
      const now = new Date()
      await runBatch(db, (q) =>
        items.map((i) =>
          q.update(groups).set({ sort: i.sort, updated_at: now }).where(eq(groups.id, i.id)),
        ),
      )
    },
  }
}
