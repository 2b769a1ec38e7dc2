// Aggregate membership routes (reference §2.3): list, add, re-weight or re-prioritise and remove
// members, and the aggregates a group belongs to. Every write reloads the config cache.
import { Hono } from 'hono'
import { z } from 'zod'
import type { Core } from '../core'
import { notFound } from '../errors'
import { ok } from './respond'
import { checkNewMembers, loadAggregate } from './subgroups-rules'
import { idParam, jsonInt, readJson } from './validate'

const weight = jsonInt(0, 1000)
// Higher is preferred (issue 11 §6); 0 for members added without one, as before priorities.
const priority = jsonInt(-1000, 1000)

const addBody = z.object({
  sub_groups: z
    .array(z.object({ group_id: jsonInt(1), weight, priority: priority.optional() }))
    .min(1, { error: 'must not be empty' })
    .refine((items) => new Set(items.map((i) => i.group_id)).size === items.length, {
      error: 'group ids must be unique',
    }),
})

const weightBody = z.object({ weight })
const memberBody = z
  .object({ weight: weight.optional(), priority: priority.optional() })
  .refine((b) => b.weight !== undefined || b.priority !== undefined, {
    error: 'needs weight or priority',
  })

export const createSubGroupRoutes = (core: Core): Hono => {
  const { store } = core.deps
  const app = new Hono()

  app.get('/:id/sub-groups', async (c) => {
    const agg = await loadAggregate(store, idParam(c))
    const [rows, groups] = await Promise.all([store.listSubGroups(agg.id), store.listGroups()])
    const byId = new Map(groups.map((g) => [g.id, g]))
    const items = await Promise.all(
      rows.flatMap((r) => {
        const group = byId.get(r.sub_group_id)
        if (!group) return []
        return store.countKeys(group.id).then((k) => ({
          group,
          weight: r.weight,
          priority: r.priority,
          total_keys: k.total,
          active_keys: k.active,
          invalid_keys: k.invalid,
          disabled_keys: k.disabled,
        }))
      }),
    )
    return ok(c, items)
  })

  app.post('/:id/sub-groups', async (c) => {
    const agg = await loadAggregate(store, idParam(c))
    const { sub_groups } = await readJson(c, addBody)
    await checkNewMembers(
      store,
      agg,
      sub_groups.map((s) => s.group_id),
    )
    await store.addSubGroups(
      agg.id,
      sub_groups.map((s) => ({
        sub_group_id: s.group_id,
        weight: s.weight,
        priority: s.priority ?? 0,
      })),
    )
    await core.configChanged()
    return ok(c, undefined, 'Sub-groups added')
  })

  app.put('/:id/sub-groups/:subGroupId/weight', async (c) => {
    const agg = await loadAggregate(store, idParam(c))
    const subId = idParam(c, 'subGroupId')
    const body = await readJson(c, weightBody)
    if (!(await store.updateSubGroup(agg.id, subId, { weight: body.weight }))) {
      throw notFound(`Group ${subId} is not a member of group ${agg.id}`)
    }
    await core.configChanged()
    return ok(c, undefined, 'Sub-group weight updated')
  })

  app.put('/:id/sub-groups/:subGroupId', async (c) => {
    const agg = await loadAggregate(store, idParam(c))
    const subId = idParam(c, 'subGroupId')
    const { weight, priority } = await readJson(c, memberBody)
    const patch = {
      ...(weight !== undefined && { weight }),
      ...(priority !== undefined && { priority }),
    }
    if (!(await store.updateSubGroup(agg.id, subId, patch))) {
      throw notFound(`Group ${subId} is not a member of group ${agg.id}`)
    }
    await core.configChanged()
    return ok(c, undefined, 'Sub-group updated')
  })

  app.delete('/:id/sub-groups/:subGroupId', async (c) => {
    const agg = await loadAggregate(store, idParam(c))
    const subId = idParam(c, 'subGroupId')
    if (!(await store.deleteSubGroup(agg.id, subId))) {
      throw notFound(`Group ${subId} is not a member of group ${agg.id}`)
    }
    await core.configChanged()
    return ok(c, undefined, 'Sub-group removed')
  })

  app.get('/:id/parent-aggregate-groups', async (c) => {
    const id = idParam(c)
    if (!(await store.getGroup(id))) throw notFound(`Group ${id} not found`)
    const [rows, groups] = await Promise.all([store.parentGroups(id), store.listGroups()])
    const byId = new Map(groups.map((g) => [g.id, g]))
    return ok(
      c,
      rows.flatMap((r) => {
        const g = byId.get(r.group_id)
        if (!g) return []
        const { weight, priority } = r
        return [{ group_id: g.id, name: g.name, display_name: g.display_name, weight, priority }]
      }),
    )
  })

  return app
}
