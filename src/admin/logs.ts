// Request logs (reference §2.5): v1's filters and field names. `key_value` is the masked key,
// since logs store only the hash and the masked form (v1 kept an encrypted key per row, §8.3).
import { Hono } from 'hono'
import { z } from 'zod'
import type { Core } from '../core'
import type { LogQuery, RequestLog } from '../store/types'
import { ok, toPaginated } from './respond'
import { boolString, intString, pagingQuery, readQuery } from './validate'

// RFC 3339 with a zone (Z or ±hh:mm), as Go's time.RFC3339 requires.
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/
const time = z
  .string()
  .regex(RFC3339, { error: 'must be an RFC 3339 time, e.g. 2024-01-02T15:04:05Z' })
  .transform((s) => new Date(s))
  .refine((d) => !Number.isNaN(d.getTime()), { error: 'is not a valid time' })

const text = z.string().max(255).optional()

export const logQuery = z.object({
  ...pagingQuery,
  parent_group_name: text,
  group_name: text,
  key_value: z.string().max(1000).optional(),
  model: text,
  is_success: boolString.optional(),
  request_type: z.enum(['retry', 'final'], { error: "must be 'retry' or 'final'" }).optional(),
  status_code: intString(100, 999).optional(),
  source_ip: z.string().max(64).optional(),
  error_contains: text,
  start_time: time.optional(),
  end_time: time.optional(),
})

export const toLogItem = (r: RequestLog) => ({
  id: r.id,
  timestamp: r.timestamp,
  group_id: r.group_id,
  group_name: r.group_name,
  parent_group_id: r.parent_group_id,
  parent_group_name: r.parent_group_name,
  key_value: r.key_masked,
  key_hash: r.key_hash,
  model: r.model,
  is_success: r.is_success,
  source_ip: r.source_ip,
  status_code: r.status_code,
  request_path: r.request_path,
  duration_ms: r.duration_ms,
  error_message: r.error_message,
  user_agent: r.user_agent,
  request_type: r.request_type,
  upstream_addr: r.upstream_addr,
  is_stream: r.is_stream,
  request_body: r.request_body,
})

export const createLogRoutes = (core: Core): Hono => {
  const { store } = core.deps
  return new Hono().get('/', async (c) => {
    const q = readQuery(c, logQuery)
    const { key_value, ...filters } = q
    const query: LogQuery = { ...filters }
    if (key_value) query.key_hash = await core.secrets.hash(key_value.trim())
    const page = await store.queryLogs(query)
    return ok(c, toPaginated(page.items.map(toLogItem), page.total, q))
  })
}
