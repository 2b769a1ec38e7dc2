// Builds the request-log row of one attempt (reference §3.5): the key only as its hash and masked
// form, from the moment the row exists, so a buffered row never holds a plaintext key.
import { timeOrderedId } from '../logs/log-id'
import { maskKey, stripKeyParam } from '../secrets/crypto'
import type { GroupEntry } from '../config/cache'
import { joinBody, type BodyBytes } from '../http/body'
import type { Group, RequestLog } from '../store/types'
import { clip } from '../text'

export interface AttemptInfo {
  entry: GroupEntry
  /** The attempt's key: plaintext for masking here, and its hash; null before a key is picked. */
  key: { value: string; hash: string } | null
  model: string
  sourceIp: string
  requestPath: string
  userAgent: string
  isStream: boolean
  body: BodyBytes | null
  startedAt: number
  /** The aggregate the request came in through; `entry` is then the member that served it. */
  parent?: Group | null
}

export const toLogRow = (
  a: AttemptInfo,
  now: number,
  outcome: { status: number; type: 'retry' | 'final'; upstream: string; error?: string },
): RequestLog => ({
  id: timeOrderedId(now),
  timestamp: new Date(now),
  group_id: a.entry.group.id,
  group_name: a.entry.group.name,
  parent_group_id: a.parent?.id ?? 0,
  parent_group_name: a.parent?.name ?? '',
  key_hash: a.key?.hash ?? '',
  key_masked: a.key ? maskKey(a.key.value) : '',
  model: clip(a.model, 255),
  is_success: outcome.status < 400 && !outcome.error,
  source_ip: a.sourceIp,
  status_code: outcome.status,
  request_path: clip(stripKeyParam(a.requestPath), 500),
  duration_ms: now - a.startedAt,
  error_message: clip(outcome.error ?? '', 2048),
  user_agent: clip(a.userAgent, 512),
  request_type: outcome.type,
  upstream_addr: clip(stripKeyParam(outcome.upstream), 500),
  is_stream: a.isStream,
  request_body:
    a.entry.settings.enable_request_body_logging && a.body
      ? clip(new TextDecoder().decode(joinBody(a.body)), 65000)
      : '',
})
