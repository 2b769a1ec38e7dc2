// The config cache: groups and settings held in memory for the hot path. Admin writes call
// `reload()`; nothing on the proxy path touches the relational database.
import type { Channel } from '../channels/types'
import { getChannel } from '../channels'
import { createStatusMatcher, type StatusMatcher } from '../proxy/failover'
import {
  compileFailoverRules,
  joinFailoverRules,
  type FailoverRules,
} from '../proxy/failover-rules'
import { compileHeaderRules, type CompiledHeaderRule } from '../proxy/header-rules'
import { compileTransforms, type RequestTransforms } from '../proxy/transform'
import { createWeightedPicker, type WeightedPicker } from '../proxy/weighted'
import { effectiveSettings, runtimeDefaults, toSettings, type Settings } from './settings'
import type { Group, Store, SubGroupRow } from '../store/types'

export interface GroupEntry {
  group: Group
  settings: Settings
  channel: Channel
  failover: StatusMatcher
  /** The group's own failover rules; null when it has none (one null check on the hot path). */
  failoverRules: FailoverRules | null
  proxyKeys: string[]
  upstreams: WeightedPicker<string>
  /** Null when the group has none, so the hot path pays one null check (issue 3, Routing). */
  headerRules: CompiledHeaderRule[] | null
  /** Param overrides and model redirects; null when the group has neither. */
  transforms: RequestTransforms | null
  /** Set on aggregate groups only, so a standard group pays one null check (issue 3). */
  aggregate: AggregateMembers | null
}

export interface AggregateMember {
  entry: GroupEntry
  /** 0 = never picked. */
  weight: number
  /** Higher is preferred. */
  priority: number
  /** The aggregate's failover rules, then the member's; compiled here, once per reload. */
  rules: FailoverRules | null
}

export interface AggregateTier {
  priority: number
  /** The tier's pickable members. */
  members: AggregateMember[]
  picker: WeightedPicker<AggregateMember>
}

export interface AggregateMembers {
  /** Every member, in membership order. */
  members: AggregateMember[]
  /**
   * The pickable members by priority, highest first: a smooth WRR over each priority's enabled
   * members with weight > 0. The pickers' state lives until the next reload.
   */
  tiers: AggregateTier[]
}

export interface ConfigCache {
  reload(): Promise<void>
  settings(): Settings
  globalProxyKeys(): string[]
  byName(name: string): GroupEntry | null
  byId(id: number): GroupEntry | null
  all(): GroupEntry[]
}

const splitKeys = (s: string) =>
  s
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean)

export const toGroupEntry = (group: Group, system: Settings): GroupEntry | null => {
  const channel = getChannel(group.channel_type)
  if (!channel) return null
  const settings = effectiveSettings(system, group.config)
  return {
    group,
    settings,
    channel,
    failover: createStatusMatcher(settings.failover_status_codes),
    failoverRules: compileFailoverRules(group.failover_rules),
    proxyKeys: splitKeys(group.proxy_keys ?? ''),
    upstreams: createWeightedPicker(
      group.upstreams.map((u) => ({ item: u.url.replace(/\/+$/, ''), weight: u.weight })),
    ),
    headerRules: compileHeaderRules(group.header_rules),
    transforms: compileTransforms(
      group.param_overrides,
      group.model_redirect_rules,
      group.model_redirect_strict,
    ),
    aggregate: null,
  }
}

/** Links each aggregate entry to its member entries; a member missing from the cache is dropped. */
const linkAggregates = (ids: Map<number, GroupEntry>, rows: SubGroupRow[]) => {
  const byParent = new Map<number, SubGroupRow[]>()
  for (const r of rows) byParent.set(r.group_id, [...(byParent.get(r.group_id) ?? []), r])
  for (const e of ids.values()) {
    if (e.group.group_type !== 'aggregate') continue
    const members = (byParent.get(e.group.id) ?? []).flatMap((r): AggregateMember[] => {
      const m = ids.get(r.sub_group_id)
      if (!m || m.aggregate || m.group.group_type !== 'standard') return []
      const rules = joinFailoverRules(e.failoverRules, m.failoverRules)
      return [{ entry: m, weight: r.weight, priority: r.priority, rules }]
    })
    // A disabled member is listed but never picked.
    const live = members.filter((m) => m.entry.group.enabled && m.weight > 0)
    const priorities = [...new Set(live.map((m) => m.priority))].sort((a, b) => b - a)
    e.aggregate = {
      members,
      tiers: priorities.map((priority) => {
        const tier = live.filter((m) => m.priority === priority)
        const picker = createWeightedPicker(tier.map((m) => ({ item: m, weight: m.weight })))
        return { priority, members: tier, picker }
      }),
    }
  }
}

export const createConfigCache = (store: Store, appUrl?: () => string): ConfigCache => {
  let system = toSettings({})
  let globalKeys: string[] = []
  let byName = new Map<string, GroupEntry>()
  let byId = new Map<number, GroupEntry>()
  // Concurrent reloads collapse into one follow-up so the last write always wins.
  let running: Promise<void> | null = null
  let again = false

  const load = async () => {
    const [rows, groups, subs] = await Promise.all([
      store.getSettings(),
      store.listGroups(),
      store.listSubGroups(null),
    ])
    const nextSystem = toSettings(rows, runtimeDefaults(appUrl))
    const names = new Map<string, GroupEntry>()
    const ids = new Map<number, GroupEntry>()
    for (const g of groups) {
      const e = toGroupEntry(g, nextSystem)
      if (!e) continue
      names.set(g.name, e)
      ids.set(g.id, e)
    }
    linkAggregates(ids, subs)
    system = nextSystem
    globalKeys = splitKeys(nextSystem.proxy_keys)
    byName = names
    byId = ids
  }

  const reload = async (): Promise<void> => {
    if (running) {
      again = true
      return running
    }
    running = (async () => {
      try {
        do {
          again = false
          await load()
        } while (again)
      } finally {
        running = null
      }
    })()
    return running
  }

  return {
    reload,
    settings: () => system,
    globalProxyKeys: () => globalKeys,
    byName: (name) => byName.get(name) ?? null,
    byId: (id) => byId.get(id) ?? null,
    all: () => [...byId.values()],
  }
}
