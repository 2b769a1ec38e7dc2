// Fixtures for the Store contract suite and the unit tests: groups (as input and as stored),
// key lists and log rows.
import type { Group, GroupInput, NewKey, RequestLog } from '../src/store/types'

export const HOUR = 3_600_000
export const T0 = Date.UTC(2025, 0, 15, 10, 0, 0)

export const groupInput = (name: string, over: Partial<GroupInput> = {}): GroupInput => ({
  name,
  display_name: name.toUpperCase(),
  description: '',
  group_type: 'standard',
  upstreams: [{ url: 'https://api.example.com', weight: 1 }],
  channel_type: 'openai',
  sort: 0,
  test_model: 'gpt-4o-mini',
  validation_endpoint: '',
  param_overrides: {},
  model_redirect_rules: {},
  model_redirect_strict: false,
  config: {},
  header_rules: [],
  failover_rules: [],
  proxy_keys: '',
  ...over,
})

/** A group as the Store returns it: `groupInput` plus id and timestamps. */
export const groupRow = (name: string, over: Partial<Group> = {}): Group => ({
  id: 1,
  ...groupInput(name),
  enabled: true,
  last_validated_at: null,
  created_at: new Date(T0),
  updated_at: new Date(T0),
  ...over,
})

export const newKeys = (n: number, prefix = 'k'): NewKey[] =>
  Array.from({ length: n }, (_, i) => ({
    key_value: `sk-${prefix}-${i}`,
    key_hash: `h-${prefix}-${i}`,
  }))

let logSeq = 0
export const logRow = (over: Partial<RequestLog> = {}): RequestLog => ({
  id: `log-${String(++logSeq).padStart(8, '0')}`,
  timestamp: new Date(T0),
  group_id: 1,
  group_name: 'alpha',
  parent_group_id: 0,
  parent_group_name: '',
  key_hash: 'h-k-0',
  key_masked: 'sk-k...0',
  model: 'gpt-4o',
  is_success: true,
  source_ip: '10.0.0.1',
  status_code: 200,
  request_path: '/proxy/alpha/v1/chat/completions',
  duration_ms: 120,
  error_message: '',
  user_agent: 'vitest',
  request_type: 'final',
  upstream_addr: 'https://api.example.com/v1/chat/completions',
  is_stream: false,
  request_body: '{"model":"gpt-4o"}',
  ...over,
})
