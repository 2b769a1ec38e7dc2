// The config cache: groups and settings held in memory for the hot path. Admin writes call
// `reload()`; nothing on the proxy path touches the relational database.
import type { Channel } from '../channels/types'
import { getChannel } from '../channels'
import { createStatusMatcher, type StatusMatcher } from '../proxy/failover'
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
  proxyKeys: string[]
  upstreams: WeightedPicker<string>
  /** Null when the group has none, so the hot path pays one null check (issue 3, Routing). */
  headerRules: CompiledHeaderRule[] | null
  /** Param overrides and model redirects; null when the group has neither. */
  transforms: RequestTransforms | null
  /** Set on aggregate groups only, so a standard group pays one null check (issue 3). */
  aggregate: AggregateMembers | null
}

export interface AggregateMembers {
  /** Every member, with its weight (0 = never picked), in membership order. */
  members: Array<{ entry: GroupEntry; weight: number }>
  /** Smooth WRR over the members with weight > 0; state lives until the next reload. */
  picker: WeightedPicker<GroupEntry>
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
    const members = (byParent.get(e.group.id) ?? []).flatMap((r) => {
      const m = ids.get(r.sub_group_id)
      return m && !m.aggregate && m.group.group_type === 'standard'
        ? [{ entry: m, weight: r.weight }]
        : []
    })
    e.aggregate = {
      members,
      // A disabled member is listed but never picked.
      picker: createWeightedPicker(
        members.flatMap((m) =>
          m.entry.group.enabled ? [{ item: m.entry, weight: m.weight }] : [],
        ),
      ),
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
