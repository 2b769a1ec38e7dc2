// The Core: what createApp builds from Deps once and hands to the proxy, the admin API and the
// background jobs. It holds no global state; every instance is independent.
import type { AuthThrottle } from './auth/throttle'
import type { ConfigCache } from './config/cache'
import type { ConfigSync } from './config/sync'
import type { JobState } from './jobs/state'
import type { Leader } from './jobs/leader'
import type { Deps } from './deps'
import type { KeyService } from './keys/service'
import type { LogWriter } from './logs/writer'
import type { ConcurrencyLimit } from './proxy/limit'
import type { KeySecrets } from './secrets/seal'
import type { TaskRunner } from './keys/task-types'

export interface Core {
  deps: Deps
  cache: ConfigCache
  /** Keeps the cache at the shared config version. */
  sync: ConfigSync
  /** Every admin write that changes groups or settings ends here: bump, reload, other nodes follow. */
  configChanged(): Promise<void>
  /** This node's id in coordination leases. */
  nodeId: string
  leader: Leader
  jobs: JobState
  /** Sealing and hashing of upstream keys (ENCRYPTION_KEY). */
  secrets: KeySecrets
  keys: KeyService
  logs: LogWriter
  /** MAX_CONCURRENT_REQUESTS; streams hold their slot until they end. */
  limit: ConcurrencyLimit
  /** The one long-running key task (import, delete, validate) and its progress. */
  tasks: TaskRunner
  /** Failed admin authentications per client IP (issue 9). */
  authThrottle: AuthThrottle
  /** Epoch ms when this node started (for /health uptime). */
  startedAt: number
}
