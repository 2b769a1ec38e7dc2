// Groups (reference §2.3): list, create, update, delete, the short list and the config options.
// Every write reloads the config cache so the proxy sees it on the next request.
import { Hono } from 'hono'
import { z } from 'zod'
import type { Core } from '../core'
import { notFound } from '../errors'
import type { Group } from '../store/types'
import { groupUpdateSchema, parseGroupCreate, toGroupInput, toGroupPatch } from './groups-schema'
import { ok } from './respond'
import { readSystemSettings, toConfigOptions } from './settings'
import { guardGroupPatch } from './subgroups-rules'
import { idParam, readJson } from './validate'

const enabledBody = z.object({ enabled: z.boolean() })

/** v1's GroupResponse: the group plus `endpoint`, in v1's field order. */
export const toGroupResponse = (g: Group, appUrl: string) => ({
  id: g.id,
  name: g.name,
  endpoint: `${appUrl.replace(/\/+$/, '')}/proxy/${g.name}`,
  display_name: g.display_name,
  description: g.description,
  group_type: g.group_type,
  upstreams: g.upstreams,
  channel_type: g.channel_type,
  sort: g.sort,
  test_model: g.test_model,
  validation_endpoint: g.validation_endpoint,
  param_overrides: g.param_overrides,
  model_redirect_rules: g.model_redirect_rules,
  model_redirect_strict: g.model_redirect_strict,
  config: g.config,
  header_rules: g.header_rules,
  failover_rules: g.failover_rules,
  proxy_keys: g.proxy_keys,
  enabled: g.enabled,
  last_validated_at: g.last_validated_at,
  created_at: g.created_at,
  updated_at: g.updated_at,
})

const bySortThenNewest = (a: Group, b: Group) => a.sort - b.sort || b.id - a.id

export const createGroupRoutes = (core: Core): Hono => {
  const { store, pool } = core.deps
  const app = new Hono()
  const appUrl = async () => (await readSystemSettings(core.deps)).app_url

  app.get('/', async (c) => {
    const [groups, url] = await Promise.all([store.listGroups(), appUrl()])
    return ok(
      c,
      groups.sort(bySortThenNewest).map((g) => toGroupResponse(g, url)),
    )
  })

  app.get('/list', async (c) => {
    const groups = await store.listGroups()
    return ok(
      c,
      groups
        .sort(bySortThenNewest)
        .map((g) => ({ id: g.id, name: g.name, display_name: g.display_name })),
    )
  })

  app.get('/config-options', async (c) =>
    ok(c, toConfigOptions(await readSystemSettings(core.deps))),
  )

  app.post('/', async (c) => {
    const input = toGroupInput(parseGroupCreate(await readJson(c, z.unknown())))
    const group = await store.createGroup(input)
    await core.configChanged()
    return ok(c, toGroupResponse(group, await appUrl()))
  })

  app.put('/:id', async (c) => {
    const id = idParam(c)
    const patch = toGroupPatch(await readJson(c, groupUpdateSchema))
    const current = await store.getGroup(id)
    if (!current) throw notFound(`Group ${id} not found`)
    const group = await store.updateGroup(id, await guardGroupPatch(store, current, patch))
    if (!group) throw notFound(`Group ${id} not found`)
    await core.configChanged()
    return ok(c, toGroupResponse(group, await appUrl()))
  })

  // Manual on/off (edgeload, issue 3): a disabled group answers the proxy with 503.
  app.put('/:id/enabled', async (c) => {
    const id = idParam(c)
    const { enabled } = await readJson(c, enabledBody)
    if (!(await store.setGroupEnabled(id, enabled))) throw notFound(`Group ${id} not found`)
    await core.configChanged()
    const group = await store.getGroup(id)
    if (!group) throw notFound(`Group ${id} not found`)
    return ok(c, toGroupResponse(group, await appUrl()))
  })

  app.delete('/:id', async (c) => {
    const id = idParam(c)
    if (!(await store.deleteGroup(id))) throw notFound(`Group ${id} not found`)
    // The store dropped the keys with the group; the pool must forget them too.
    await pool.clearGroup(id)
    await core.configChanged()
    return ok(c, undefined, 'Group deleted')
  })

  return app
}
