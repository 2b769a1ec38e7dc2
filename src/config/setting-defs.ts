// The definitions of the system settings (reference §5.1): name, type, default, limits, category
// and whether a group may override it. Read by the settings API and the config cache.
import { parseStatusRanges } from '../proxy/failover'

export type SettingType = 'int' | 'bool' | 'string'
export type SettingValue = number | boolean | string

export interface SettingDef {
  key: string
  name: string
  type: SettingType
  default: SettingValue
  description: string
  category: 'Basic' | 'Request' | 'Key'
  /** Inclusive bounds of an int. Every int has both: a value that becomes a timer stays far below
   * 2^31-1 ms (about 24.8 days), past which JS timers fire at once. */
  min?: number
  max?: number
  required?: boolean
  groupOverridable: boolean
  /** Extra check beyond type/min/required; returns an error message or null. */
  check?: (v: SettingValue) => string | null
}

const PROXY_PROTOCOLS = new Set(['http:', 'https:', 'socks5:', 'socks5h:'])
const PROXY_SCHEMES = 'http://, https://, socks5:// or socks5h://'

/**
 * Empty, or a proxy URL the Node adapter's undici can use. Its SOCKS client speaks SOCKS5 only and
 * always hands the target's host name to the proxy, so socks5h:// (remote DNS) means the same as
 * socks5://; SOCKS4 and the ambiguous socks:// are refused by name.
 */
const checkProxyUrl = (v: SettingValue) => {
  const s = String(v).trim()
  if (s === '') return null
  let u: URL
  try {
    u = new URL(s)
  } catch {
    return `must be an ${PROXY_SCHEMES} URL`
  }
  if (!PROXY_PROTOCOLS.has(u.protocol)) {
    return u.protocol.startsWith('socks')
      ? `${u.protocol}// proxies are not supported; SOCKS5 is (socks5:// or socks5h://)`
      : `must be an ${PROXY_SCHEMES} URL`
  }
  // socks5:host parses (non-special scheme) with an empty host; the agent would dial nowhere.
  return u.hostname === '' ? 'needs a host, e.g. socks5://127.0.0.1:1080' : null
}

const checkStatusCodes = (v: SettingValue) =>
  parseStatusRanges(String(v)) === null ? 'must be status codes or ranges, e.g. 429,500-599' : null

export const SETTING_DEFS: readonly SettingDef[] = [
  {
    key: 'app_url',
    name: 'Project URL',
    type: 'string',
    default: 'http://localhost:3001',
    description:
      'Base URL shown for group endpoints; until saved, the address the gateway listens on',
    category: 'Basic',
    required: true,
    groupOverridable: false,
  },
  {
    key: 'proxy_keys',
    name: 'Global proxy keys',
    type: 'string',
    default: '',
    description: 'Comma-separated proxy keys valid for every group',
    category: 'Basic',
    required: true,
    groupOverridable: false,
  },
  {
    key: 'request_log_retention_days',
    name: 'Log retention (days)',
    type: 'int',
    default: 7,
    description: 'Days to keep request logs; 0 keeps them forever',
    category: 'Basic',
    min: 0,
    max: 3650,
    groupOverridable: false,
  },
  {
    key: 'request_log_write_interval_minutes',
    name: 'Log write interval (minutes)',
    type: 'int',
    default: 1,
    description:
      'The longest a buffered request-log row waits (rows are written every 2 s anyway); 0 writes each at once',
    category: 'Basic',
    min: 0,
    max: 60,
    groupOverridable: false,
  },
  {
    key: 'enable_request_body_logging',
    name: 'Log request bodies',
    type: 'bool',
    default: false,
    description: 'Store request bodies (up to 65000 characters) in the request log',
    category: 'Basic',
    groupOverridable: true,
  },
  {
    key: 'request_timeout',
    name: 'Request timeout (s)',
    type: 'int',
    default: 600,
    description: 'Total time for a request, retries included; a stream until its response starts',
    category: 'Request',
    min: 1,
    max: 86400,
    groupOverridable: true,
  },
  {
    key: 'connect_timeout',
    name: 'Connect timeout (s)',
    type: 'int',
    default: 15,
    description: 'Time to open a connection to the upstream',
    category: 'Request',
    min: 1,
    max: 300,
    groupOverridable: true,
  },
  {
    key: 'first_byte_timeout',
    name: 'First byte timeout (s)',
    type: 'int',
    default: 0,
    description:
      'Streams only: when no body byte follows the headers within this, try another key; 0 waits as long as the model thinks',
    category: 'Request',
    min: 0,
    max: 3600,
    groupOverridable: true,
  },
  {
    key: 'stream_idle_timeout',
    name: 'Stream idle timeout (s)',
    type: 'int',
    default: 300,
    description:
      'A stream silent this long after its first byte ends with an error event; 0 never ends it',
    category: 'Request',
    min: 0,
    max: 86400,
    groupOverridable: true,
  },
  {
    key: 'stream_heartbeat_interval',
    name: 'Stream heartbeat interval (s)',
    type: 'int',
    default: 0,
    description:
      'While a stream waits for its first byte, send SSE keep-alive comments this often; 0 sends none',
    category: 'Request',
    min: 0,
    max: 600,
    groupOverridable: true,
  },
  {
    key: 'idle_conn_timeout',
    name: 'Idle connection timeout (s)',
    type: 'int',
    default: 120,
    description: 'How long an idle upstream connection is kept',
    category: 'Request',
    min: 1,
    max: 3600,
    groupOverridable: true,
  },
  {
    key: 'response_header_timeout',
    name: 'Response header timeout (s)',
    type: 'int',
    default: 600,
    description: 'Time to wait for upstream response headers, streams included',
    category: 'Request',
    min: 1,
    max: 86400,
    groupOverridable: true,
  },
  {
    key: 'max_idle_conns',
    name: 'Max idle connections',
    type: 'int',
    default: 100,
    description: 'Idle upstream connections kept in total',
    category: 'Request',
    min: 1,
    max: 10000,
    groupOverridable: true,
  },
  {
    key: 'max_idle_conns_per_host',
    name: 'Max idle connections per host',
    type: 'int',
    default: 50,
    description: 'Idle upstream connections kept per host',
    category: 'Request',
    min: 1,
    max: 10000,
    groupOverridable: true,
  },
  {
    key: 'proxy_url',
    name: 'Outbound proxy URL',
    type: 'string',
    default: '',
    description:
      'HTTP, HTTPS or SOCKS5 proxy for upstream calls; empty uses HTTP_PROXY/HTTPS_PROXY',
    category: 'Request',
    groupOverridable: true,
    check: checkProxyUrl,
  },
  {
    key: 'max_retries',
    name: 'Max retries',
    type: 'int',
    default: 3,
    description: 'Extra attempts, each on another key while one is left; within request_timeout',
    category: 'Key',
    min: 0,
    max: 10,
    groupOverridable: true,
  },
  {
    key: 'member_max_attempts',
    name: 'Attempts per aggregate member',
    type: 'int',
    default: 2,
    description:
      'Aggregate groups: attempts one member gets in a request, each on a key not yet tried, before the next member or priority; within max_retries',
    category: 'Key',
    min: 1,
    max: 11,
    groupOverridable: true,
  },
  {
    key: 'blacklist_threshold',
    name: 'Blacklist threshold',
    type: 'int',
    default: 3,
    description: 'Consecutive auth failures before a key becomes invalid; 0 never blacklists',
    category: 'Key',
    min: 0,
    max: 1000,
    groupOverridable: true,
  },
  {
    key: 'max_wait_for_key_ms',
    name: 'Max wait for a cooling key (ms)',
    type: 'int',
    default: 0,
    description:
      'When every key is cooling and the first is back within this, wait for it instead of answering 429; 0 never waits',
    category: 'Key',
    min: 0,
    max: 60000,
    groupOverridable: true,
  },
  {
    key: 'failover_status_codes',
    name: 'Failover status codes',
    type: 'string',
    default: '401,403,408,429,500-599',
    description: 'Upstream statuses that make the gateway retry on another key',
    category: 'Key',
    groupOverridable: true,
    check: checkStatusCodes,
  },
  {
    key: 'incident_min_keys',
    name: 'Keys failing alike that make an upstream incident',
    type: 'int',
    default: 5,
    description:
      'When this many distinct keys fail alike (401/403, 429 or connection errors) on one upstream within the window, the upstream is at fault: keys are not charged, their penalties are undone, and its circuit opens; 0 turns this off',
    category: 'Key',
    min: 0,
    max: 1000,
    groupOverridable: false,
  },
  {
    key: 'incident_window_seconds',
    name: 'Upstream incident window (seconds)',
    type: 'int',
    default: 10,
    description: 'The window in which failures of distinct keys count towards an incident',
    category: 'Key',
    min: 1,
    max: 3600,
    groupOverridable: false,
  },
  {
    key: 'circuit_open_seconds',
    name: 'Circuit open time (seconds)',
    type: 'int',
    default: 10,
    description:
      'How long an upstream with an incident is skipped before one probe request tries it; doubles after each failed probe, up to 10 minutes',
    category: 'Key',
    min: 1,
    max: 600,
    groupOverridable: false,
  },
  {
    key: 'key_probe_interval_seconds',
    name: 'Live probe of invalid keys (seconds)',
    type: 'int',
    default: 0,
    description:
      'Give an invalid key one live client request this long after it failed, doubling after each failed probe (up to a day); a failed probe is retried on another key, unseen by the client; 0 never probes',
    category: 'Key',
    min: 0,
    max: 86400,
    groupOverridable: true,
  },
  {
    key: 'key_probes_per_minute',
    name: 'Live probes per minute',
    type: 'int',
    default: 6,
    description: 'The most live probes of invalid keys a group starts per minute',
    category: 'Key',
    min: 1,
    max: 600,
    groupOverridable: true,
  },
  {
    key: 'key_validation_interval_minutes',
    name: 'Key validation interval (minutes)',
    type: 'int',
    default: 60,
    description: 'How often invalid keys are re-validated',
    category: 'Key',
    min: 1,
    max: 10080,
    groupOverridable: true,
  },
  {
    key: 'key_validation_concurrency',
    name: 'Key validation concurrency',
    type: 'int',
    default: 10,
    description: 'Keys validated at once',
    category: 'Key',
    min: 1,
    max: 100,
    groupOverridable: true,
  },
  {
    key: 'key_validation_timeout_seconds',
    name: 'Key validation timeout (s)',
    type: 'int',
    default: 20,
    description: 'Time limit of one validation request',
    category: 'Key',
    min: 1,
    max: 600,
    groupOverridable: true,
  },
]

export const SETTING_BY_KEY: ReadonlyMap<string, SettingDef> = new Map(
  SETTING_DEFS.map((d) => [d.key, d]),
)
