// The definitions of the system settings (reference §5.1): name, type, default, limits, category
// and whether a group may override it. Read by the settings API and the config cache.
import type { SettingDef, SettingValue } from './setting-def'
import { KEY_SETTING_DEFS } from './setting-defs-key'

export type { SettingDef, SettingType, SettingValue } from './setting-def'

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
  ...KEY_SETTING_DEFS,
]

export const SETTING_BY_KEY: ReadonlyMap<string, SettingDef> = new Map(
  SETTING_DEFS.map((d) => [d.key, d]),
)
