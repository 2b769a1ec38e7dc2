// Integration info (reference §2.2): which groups a proxy key reaches and the path a client
// should call. Shared by the public admin route and the per-group route under /proxy.
import type { ConfigCache, GroupEntry } from './cache'
import { matchesAny } from '../secrets/crypto'
import { badRequest } from '../errors'

export interface IntegrationItem {
  name: string
  display_name: string
  channel_type: string
  path: string
}

// The validation endpoints a group gets when it sets none; any other one marks it "custom".
const DEFAULT_ENDPOINTS: Record<string, string> = {
  openai: '/v1/chat/completions',
  'openai-response': '/v1/responses',
}

/** `base` is `/proxy/{name}` for the all-groups answer and `''` for the per-group one. */
export const toIntegrationItem = (e: GroupEntry, base: string): IntegrationItem => {
  const { group } = e
  const endpoint = group.validation_endpoint.trim()
  const fallback = DEFAULT_ENDPOINTS[group.channel_type]
  const custom = fallback !== undefined && endpoint !== '' && endpoint !== fallback
  return {
    name: group.name,
    display_name: group.display_name,
    channel_type: custom ? 'custom' : group.channel_type,
    path: custom ? `${base}${endpoint}` : base,
  }
}

const bySortThenNewest = (a: GroupEntry, b: GroupEntry) =>
  a.group.sort - b.group.sort || b.group.id - a.group.id

/**
 * The entries `key` may use: all of them for a global proxy key, else those listing it. Every
 * list is compared in full (constant time per key), so timing does not tell which one matched.
 * 400 VALIDATION_FAILED when the key is missing or (unless `orThrow` is false) reaches nothing.
 */
export const reachableGroups = (
  cache: ConfigCache,
  key: string | undefined,
  entries: GroupEntry[] = cache.all(),
  orThrow = true,
): GroupEntry[] => {
  if (!key) throw badRequest('key: is required')
  const global = matchesAny(key, cache.globalProxyKeys())
  const hits = entries.filter((e) => matchesAny(key, e.proxyKeys) || global)
  if (hits.length === 0 && orThrow) throw badRequest('key: matches no group')
  return hits.sort(bySortThenNewest)
}
