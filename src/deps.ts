// Deps: the single injection point. Adapters build it; the core never reads the environment.
import type { BodyBytes } from './http/body'
import type { LogQueue } from './logs/queue'
import type { AuthThrottle } from './auth/throttle'
import type { Coordination } from './coord/types'
import type { KeyPool } from './keys/pool'
import type { Logger } from './logger'
import type { KeyHasher } from './secrets/seal'
import type { Store } from './store/types'
export type { Logger, LogLevel } from './logger'

export interface UpstreamTimeouts {
  /** ms to open the connection */
  connect: number
  /** ms to wait for response headers */
  headers: number
  /** ms for the whole exchange, body included; absent for streams, which have no total cap */
  total?: number
}

/**
 * What the core needs of "the client went away": a read, and one listener at a time. A real
 * AbortSignal is one; the Node adapter hands over a lighter one, since an AbortController per
 * request cost ~5% of a small chat's CPU there (EventTarget set-up and teardown).
 */
export interface ClientSignal {
  readonly aborted: boolean
  readonly reason: unknown
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void
  removeEventListener(type: 'abort', listener: () => void): void
}

export interface UpstreamRequest {
  method: string
  /** Lower-case names. */
  headers: Record<string, string>
  body: BodyBytes | string | null
  signal?: ClientSignal
  timeouts?: UpstreamTimeouts
  /**
   * The group's effective `proxy_url` (http://, https:// or socks5://, optional user:pass); empty or absent
   * means none, and an adapter may then use the environment's HTTP(S)_PROXY. Adapters that cannot
   * proxy (Workers) ignore it.
   */
  proxy?: string
  /**
   * Optional: set by the core on streamed calls. An adapter that hands over `ended` calls these
   * itself; otherwise the core wraps the body to call them.
   */
  hooks?: BodyHooks
}

/**
 * What a streamed body's end turns into: bytes to send before a clean close (an in-band error
 * event), an error to fail the stream with, or null to end as the upstream did.
 */
export type BodyTail = Uint8Array | Error | null

/** The core's watch over a streamed body: its chunks and its end. */
export interface BodyHooks {
  /** Each chunk, before it is enqueued. It runs per chunk, so it only notes the time. */
  chunk(c: Uint8Array): void
  /** Once, when the body ends, before the stream closes or errors. */
  end(e: BodyEnd): BodyTail
}

/**
 * An upstream answer in plain parts: status, lower-case headers (hop-by-hop removed), the
 * `set-cookie` values apart, and the body. Plain parts rather than a `Response`, so the hot path
 * builds exactly one Response, for the client. A timeout or abort errors the body stream.
 */
export interface UpstreamResponse {
  status: number
  headers: Record<string, string>
  cookies?: string[]
  /**
   * The body as it arrives. An adapter may hand over bytes instead of a stream when the whole
   * body came in the first chunk: nothing waited, and nothing is left to stream.
   */
  body: ReadableStream<Uint8Array> | Uint8Array<ArrayBuffer> | null
  /**
   * Optional: settles once with how a streamed body ended. An adapter that knows this spares the
   * core a second stream wrapped around the body just to find out; it then calls the request's
   * `hooks` itself (each chunk, then the end, enqueuing the tail) and sets `cut` too.
   */
  ended?: Promise<BodyEnd>
  /** Optional, with `ended`: stops the upstream call; the body then ends as after an upstream error. */
  cut?: () => void
}

export interface BodyEnd {
  /** 'done' when the upstream finished, 'aborted' when the reader left, 'error' on a broken upstream. */
  how: 'done' | 'aborted' | 'error'
  error?: string
}

/** The upstream call: no redirects followed, no decompression. Rejects on network errors. */
export type FetchFn = (url: URL, req: UpstreamRequest) => Promise<UpstreamResponse>

/** A timer for runDueJobs (Node, Bun). Workers has none: its Cron Trigger calls runDueJobs. */
export interface Scheduler {
  /** Runs `task` every `everyMs`; returns a function that stops it. */
  every(everyMs: number, task: () => Promise<void>): () => void
}

export interface CoreConfig {
  authKey: string
  /** ENCRYPTION_KEY: when set, upstream keys are sealed at rest (src/secrets/seal.ts). */
  encryptionKey?: string
  /** Largest request body accepted by the proxy and the admin API, in bytes. */
  maxBodyBytes: number
  maxConcurrentRequests: number
  cors: {
    enabled: boolean
    origins: string[]
    methods: string[]
    headers: string[]
    credentials: boolean
  }
  /** IS_SLAVE=false: this node may take the leader lease and run retention and re-validation. */
  isMaster: boolean
  /** The leader lease's TTL in ms (default 15 s): how soon a dead leader is replaced. */
  leaderLeaseMs?: number
  /**
   * How much one drive of a key task may do before it leaves the rest to the next (runDueJobs):
   * set where an invocation is bounded (Workers). Absent: a task runs to its end in one drive.
   */
  taskBudget?: { ms: number; chunks: number }
  /** Deployment facts the dashboard warns about, e.g. a key pool per Workers isolate. */
  notices?: DeploymentNotice[]
}

/** `pool_per_isolate`: Workers without Upstash, so each isolate rotates and cools keys alone. */
export type DeploymentNotice = 'pool_per_isolate'

export interface Deps {
  store: Store
  pool: KeyPool
  /** What nodes agree on: the leader and task leases, the config version. */
  coord: Coordination
  /**
   * Optional: a cluster's shared log queue (Redis). Nodes push their rows there within
   * LOG_QUEUE_DELAY_MS; the leader writes them to the store. Absent: each node writes its own.
   */
  logQueue?: LogQueue
  fetch: FetchFn
  /** Drives runDueJobs every TICK_MS; absent where the runtime calls runDueJobs itself. */
  scheduler?: Scheduler
  /** Keeps background promises alive (Workers' waitUntil); Node just lets them run. */
  waitUntil: (p: Promise<unknown>) => void
  now: () => number
  log: Logger
  config: CoreConfig
  /** Optional: synchronous key hashing, cheaper than WebCrypto's async digest on some runtimes. */
  hasher?: KeyHasher
  /**
   * Optional: where failed admin logins are counted; the core keeps them in memory (per node)
   * when absent. A shared implementation makes the limit cluster-wide.
   */
  authThrottle?: AuthThrottle
  /**
   * Optional: where this node is reached (Node: http://HOST:PORT). It is `app_url` until an
   * operator saves one, so a port change moves every group's endpoint with it (issue 9).
   */
  appUrl?: () => string
  /** Optional: the client's IP, which only the adapter can see. */
  clientIp?: (c: import('hono').Context) => string
  /**
   * Optional: the request headers as a plain object with lower-case names, when the runtime has
   * them cheaper than `c.req.raw.headers` (Node's IncomingMessage does).
   */
  requestHeaders?: (c: import('hono').Context) => Record<string, string | string[] | undefined>
  /**
   * Optional: the proxy's request body read whole, refused with a 413 past `limit`, when the
   * runtime reads it cheaper than `c.req.arrayBuffer()`.
   */
  readBody?: (c: import('hono').Context, limit: number) => Promise<BodyBytes | null>
  /** Optional: ends when the client goes away; `c.req.raw.signal` when absent. */
  clientSignal?: (c: import('hono').Context) => ClientSignal
}
