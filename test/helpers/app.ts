// createTestApp: a real app over an in-memory SQLite store and the memory key pool, driven with
// `app.request()`. Background jobs are off (isMaster false) and waitUntil promises are tracked.
import { openSqlite } from '../../adapters/node/db'
import { fromWebFetch } from '../../src/http/web-fetch'
import { createApp } from '../../src/app'
import type { CoreConfig, Deps, FetchFn, LogLevel, Scheduler } from '../../src/deps'
import { createSqlCoordination } from '../../src/coord/sql'
import type { Coordination } from '../../src/coord/types'
import { createMemoryKeyPool } from '../../src/keys/pool-memory'
import type { KeyPool } from '../../src/keys/pool'

export const TEST_AUTH_KEY = 'test-admin-key-0123456789'

export interface TestAppOptions {
  /** SQLite path; `:memory:` by default. */
  dbPath?: string
  fetch?: FetchFn
  /** A pool or coordination shared with another app (two nodes in one test). */
  pool?: KeyPool
  coord?: Coordination
  now?: () => number
  config?: Partial<CoreConfig>
  /** Extra seeded settings (proxy_keys is seeded with the auth key). */
  seedSettings?: Record<string, string>
  /** Background jobs' scheduler; by default jobs never run. */
  scheduler?: Scheduler
  /** The client's IP as the adapter would see it; by default none. */
  clientIp?: Deps['clientIp']
  /** false: the caller runs `init()` itself (to see the app before it is loaded). */
  init?: boolean
}

export interface LogLine {
  level: LogLevel
  msg: string
  extra?: Record<string, unknown>
}

export const createTestApp = async (opts: TestAppOptions = {}) => {
  const sqlite = await openSqlite(opts.dbPath ?? ':memory:')
  const background = new Set<Promise<unknown>>()
  const logs: LogLine[] = []
  const config: CoreConfig = {
    authKey: TEST_AUTH_KEY,
    maxBodyBytes: 10 * 1024 * 1024,
    maxConcurrentRequests: 100,
    cors: { enabled: false, origins: [], methods: [], headers: [], credentials: false },
    isMaster: false,
    ...opts.config,
  }
  const deps: Deps = {
    store: sqlite.store,
    pool: opts.pool ?? createMemoryKeyPool(),
    coord: opts.coord ?? createSqlCoordination(sqlite.db, opts.now),
    fetch: opts.fetch ?? fromWebFetch(fetch),
    scheduler: opts.scheduler ?? { every: () => () => {} },
    waitUntil: (p) => {
      const tracked = p.catch(() => {}).finally(() => background.delete(tracked))
      background.add(tracked)
    },
    now: opts.now ?? Date.now,
    log: (level, msg, extra) => logs.push({ level, msg, extra }),
    config,
    clientIp: opts.clientIp,
  }
  const edge = createApp(deps)
  const init = () =>
    edge.init({ seedSettings: { proxy_keys: config.authKey, ...opts.seedSettings } })
  if (opts.init !== false) await init()

  /** Waits for every background promise, including ones started while waiting. */
  const settle = async () => {
    while (background.size > 0) await Promise.all([...background])
  }

  /** A request with the admin key; `body` is sent as JSON unless it is already a string. */
  const api = (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) =>
    edge.app.request(path, {
      method,
      headers: {
        authorization: `Bearer ${config.authKey}`,
        'content-type': 'application/json',
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    })

  /** Creates a group through the admin API, adds `keys`, and returns its id. */
  const createGroup = async (spec: Record<string, unknown>, keys: string[] = []) => {
    const r = await api('POST', '/api/groups', spec)
    if (r.status !== 200) throw new Error(`create group: ${r.status} ${await r.text()}`)
    const id = ((await r.json()) as { data: { id: number } }).data.id
    if (keys.length > 0) {
      const k = await api('POST', '/api/keys/add-multiple', {
        group_id: id,
        keys_text: keys.join('\n'),
      })
      if (k.status !== 200) throw new Error(`add keys: ${k.status} ${await k.text()}`)
    }
    return id
  }

  return {
    app: edge.app,
    api,
    createGroup,
    core: edge.core,
    deps,
    authKey: config.authKey,
    /** The SQLite handle under the store (tests change its connection, e.g. `query_only`). */
    sqlite,
    init,
    logs,
    settle,
    close: async () => {
      await edge.close()
      await settle()
      await sqlite.close()
    },
  }
}

export type TestApp = Awaited<ReturnType<typeof createTestApp>>
