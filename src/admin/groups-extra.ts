// Group routes beyond CRUD (reference §2.3): reorder, copy (keys, or an aggregate's members) and
// per-group stats. Mounted before the CRUD routes so `PUT /reorder` is not taken for `PUT /:id`.
import { Hono } from 'hono'
import { z } from 'zod'
import type { Core } from '../core'
import { badRequest, notFound } from '../errors'
import { keyProblem, showKey } from '../keys/syntax'
import type { Group, HourlyStat } from '../store/types'
import { toGroupResponse } from './groups'
import { checkCopySource } from './groups-schema'
import { ok } from './respond'
import { readSystemSettings } from './settings'
import { idParam, jsonInt, readJson } from './validate'

const HOUR_MS = 3_600_000
const MAX_COPY_SUFFIX = 1000
const COPY_BATCH = 1000

const reorderBody = z.object({
  items: z
    .array(z.object({ id: jsonInt(1), sort: jsonInt(0) }))
    .min(1, { error: 'must not be empty' })
    .refine((items) => new Set(items.map((i) => i.id)).size === items.length, {
      error: 'ids must be unique',
    }),
})

const copyBody = z.object({
  copy_keys: z
    .enum(['none', 'valid_only', 'all'], { error: "must be 'none', 'valid_only' or 'all'" })
    .optional()
    .default('all'),
})

/** `<name>_copy`, then `_copy_2` … `_copy_1000`: the first one not taken, as v1 picks it. */
const copyName = (name: string, taken: Set<string>): string => {
  for (let i = 1; i <= MAX_COPY_SUFFIX; i++) {
    const candidate = i === 1 ? `${name}_copy` : `${name}_copy_${i}`
    if (!taken.has(candidate)) return candidate
  }
  throw badRequest(`name: no free copy name left for '${name}'`)
}

const toWindow = (rows: HourlyStat[], from: number) => {
  let total = 0
  let failed = 0
  for (const r of rows) {
    if (r.time.getTime() < from) continue
    total += r.success_count + r.failure_count
    failed += r.failure_count
  }
  const rate = total === 0 ? 0 : Math.round((failed / total) * 10_000) / 10_000
  return { total_requests: total, failed_requests: failed, failure_rate: rate }
}

export const createGroupExtraRoutes = (core: Core): Hono => {
  const { store } = core.deps
  const app = new Hono()

  /** Keys stored before imports were checked may be unusable: refuse the copy, name the key. */
  const checkSourceKeys = async (id: number, status: 'active' | undefined) => {
    let page = await store.loadKeys(id, 0, COPY_BATCH, status)
    while (page.length > 0) {
      for (const r of await core.keys.openRows(page)) {
        const problem = keyProblem(r.key_value)
        if (problem) {
          throw badRequest(`key ${r.id} (${showKey(r.key_value)}) ${problem}; delete it first`)
        }
      }
      page = await store.loadKeys(id, page[page.length - 1]!.id, COPY_BATCH, status)
    }
  }

  app.put('/reorder', async (c) => {
    const { items } = await readJson(c, reorderBody)
    const known = new Set((await store.listGroups()).map((g) => g.id))
    const missing = items.find((i) => !known.has(i.id))
    if (missing) throw notFound(`Group ${missing.id} not found`)
    await store.setGroupSorts(items)
    await core.configChanged()
    return ok(c, undefined, 'Groups reordered')
  })

  // v1 copies keys in a background task; here they are added synchronously in batches through
  // the KeyService, which bounds memory and keeps the pool in step. An async task can come later.
  app.post('/:id/copy', async (c) => {
    const id = idParam(c)
    const { copy_keys } = await readJson(c, copyBody)
    const all = await store.listGroups()
    const src = all.find((g) => g.id === id)
    if (!src) throw notFound(`Group ${id} not found`)
    checkCopySource(src)
    const status = copy_keys === 'valid_only' ? 'active' : undefined
    if (src.group_type !== 'aggregate' && copy_keys !== 'none') await checkSourceKeys(id, status)
    const { id: _i, created_at: _c, updated_at: _u, last_validated_at: _v, ...fields } = src
    const copy: Group = await store.createGroup({
      ...fields,
      name: copyName(src.name, new Set(all.map((g) => g.name))),
      display_name: `${src.display_name || src.name} Copy`,
    })
    if (src.group_type === 'aggregate') {
      // An aggregate has no keys; its members (weights, priorities) are what makes it work.
      const members = await store.listSubGroups(id)
      await store.addSubGroups(
        copy.id,
        members.map((m) => ({
          sub_group_id: m.sub_group_id,
          weight: m.weight,
          priority: m.priority,
        })),
      )
    } else if (copy_keys !== 'none') {
      let page = await store.loadKeys(id, 0, COPY_BATCH, status)
      while (page.length > 0) {
        const rows = await core.keys.openRows(page)
        await core.keys.add(
          copy.id,
          rows.map((r) => r.key_value),
        )
        page = await store.loadKeys(id, page[page.length - 1]!.id, COPY_BATCH, status)
      }
    }
    await core.configChanged()
    const url = (await readSystemSettings(core.deps)).app_url
    return ok(c, { group: toGroupResponse(copy, url) })
  })

  app.get('/:id/stats', async (c) => {
    const id = idParam(c)
    const group = await store.getGroup(id)
    if (!group) throw notFound(`Group ${id} not found`)
    // Windows end at the end of the current hour, so the running hour counts (reference §4.8).
    const end = Math.floor(core.deps.now() / HOUR_MS) * HOUR_MS + HOUR_MS
    const [keys, rows] = await Promise.all([
      group.group_type === 'aggregate'
        ? { total: 0, active: 0, invalid: 0, disabled: 0 }
        : store.countKeys(id),
      store.hourlyStats(new Date(end - 720 * HOUR_MS), new Date(end), id),
    ])
    return ok(c, {
      key_stats: {
        total_keys: keys.total,
        active_keys: keys.active,
        invalid_keys: keys.invalid,
        disabled_keys: keys.disabled,
      },
      stats_24_hour: toWindow(rows, end - 24 * HOUR_MS),
      stats_7_day: toWindow(rows, end - 168 * HOUR_MS),
      stats_30_day: toWindow(rows, end - 720 * HOUR_MS),
    })
  })

  return app
}
