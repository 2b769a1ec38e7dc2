// Deps: the single injection point. Adapters build it; the core never reads the environment.
import type { KeyPool } from './keypool/types'
import type { Store } from './store/types'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
export type Logger = (level: LogLevel, msg: string, extra?: Record<string, unknown>) => void

/** The upstream call. Adapters may inject a faster fetch-shaped function than the global one. */
export type FetchFn = (input: string, init: RequestInit & { timeouts?: UpstreamTimeouts }) => Promise<Response>

export interface UpstreamTimeouts {
  /** ms to open the connection */
  connect: number
  /** ms to wait for response headers */
  headers: number
}

/** Background work: timers on Node and Bun, Cron Triggers on Workers. */
export interface Scheduler {
  /** Runs `task` every `everyMs`; returns a function that stops it. */
  every(everyMs: number, task: () => Promise<void>): () => void
}

export interface CoreConfig {
  authKey: string
  /** Largest request body accepted by the proxy and the admin API, in bytes. */
  maxBodyBytes: number
  maxConcurrentRequests: number
  cors: { enabled: boolean; origins: string[]; methods: string[]; headers: string[]; credentials: boolean }
  /** Whether this node runs background jobs (log flush, cleanup, re-validation). */
  isMaster: boolean
}

export interface Deps {
  store: Store
  pool: KeyPool
  fetch: FetchFn
  scheduler: Scheduler
  /** Keeps background promises alive (Workers' waitUntil); Node just lets them run. */
  waitUntil: (p: Promise<unknown>) => void
  now: () => number
  log: Logger
  config: CoreConfig
  /** Optional: the client's IP, which only the adapter can see. */
  clientIp?: (c: import('hono').Context) => string
}
