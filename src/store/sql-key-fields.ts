// The key columns and conditions that several key queries share.
import { and, eq, type SQL } from 'drizzle-orm'
import type { Tables } from './dialect'
import type { KeyStatus } from './types'

type ApiKeys = Tables['apiKeys']

/** What the pool holds of a key. */
export const poolFieldsOf = (apiKeys: ApiKeys) => ({
  id: apiKeys.id,
  key_value: apiKeys.key_value,
  key_hash: apiKeys.key_hash,
  status: apiKeys.status,
  failure_count: apiKeys.failure_count,
  enabled: apiKeys.enabled,
})

/** The condition "in this group (and with this status)". */
export const inGroupOf =
  (apiKeys: ApiKeys) =>
  (groupId: number, status?: KeyStatus): SQL | undefined =>
    and(eq(apiKeys.group_id, groupId), status ? eq(apiKeys.status, status) : undefined)
