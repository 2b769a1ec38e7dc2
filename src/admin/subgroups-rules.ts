// v1's aggregate rules (reference §1.5): members are standard groups of one channel type and one
// validation endpoint, and a group in use as a member keeps its channel type and endpoint.
import { badRequest, notFound } from '../errors'
import type { Group, GroupInput, Store } from '../store/types'
import { checkAggregateRules } from './groups-schema'

/** The endpoint validation uses: '' stands for the channel's default, members share the channel. */
const endpointOf = (g: Pick<Group, 'validation_endpoint'>) => g.validation_endpoint.trim()

/** Loads a group that must be an aggregate: 404 when absent, 400 when standard. */
export const loadAggregate = async (store: Store, id: number): Promise<Group> => {
  const group = await store.getGroup(id)
  if (!group) throw notFound(`Group ${id} not found`)
  if (group.group_type !== 'aggregate') throw badRequest(`Group ${id} is not an aggregate group`)
  return group
}

/** Checks the members an aggregate would have after adding `added` (ids not yet members). */
export const checkNewMembers = async (store: Store, agg: Group, added: number[]) => {
  const [all, rows] = await Promise.all([store.listGroups(), store.listSubGroups(agg.id)])
  const byId = new Map(all.map((g) => [g.id, g]))
  const existing = new Set(rows.map((r) => r.sub_group_id))
  for (const id of added) {
    const g = byId.get(id)
    if (!g) throw badRequest(`sub_groups: group ${id} not found`)
    if (id === agg.id || g.group_type !== 'standard') {
      throw badRequest(`sub_groups: group '${g.name}' is not a standard group`)
    }
    if (existing.has(id)) throw badRequest(`sub_groups: group '${g.name}' is already a member`)
  }
  const members = [...existing, ...added].flatMap((id) => byId.get(id) ?? [])
  const [first] = members
  if (!first) return
  if (members.some((g) => g.channel_type !== first.channel_type)) {
    throw badRequest('sub_groups: all members must use the same channel type')
  }
  if (members.some((g) => endpointOf(g) !== endpointOf(first))) {
    throw badRequest('sub_groups: all members must use the same validation endpoint')
  }
}

/** Trims or refuses a PUT /api/groups/{id} patch by the group's role; returns the patch to apply. */
export const guardGroupPatch = async (
  store: Store,
  group: Group,
  patch: Partial<GroupInput>,
): Promise<Partial<GroupInput>> => {
  if (group.group_type === 'aggregate') {
    checkAggregateRules(patch.model_redirect_rules)
    // An aggregate's channel follows its members and it has no upstreams (reference §2.3).
    const {
      channel_type: _c,
      upstreams: _u,
      test_model: _t,
      validation_endpoint: _v,
      ...rest
    } = patch
    return rest
  }
  const channelChanges =
    patch.channel_type !== undefined && patch.channel_type !== group.channel_type
  const endpointChanges =
    patch.validation_endpoint !== undefined && endpointOf(patch as Group) !== endpointOf(group)
  if ((channelChanges || endpointChanges) && (await store.parentGroups(group.id)).length > 0) {
    throw badRequest(
      'channel_type, validation_endpoint: cannot change while the group is a member of an aggregate',
    )
  }
  return patch
}
