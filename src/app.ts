// createApp(deps): builds the Core and the Hono app (/proxy, /api, /health, /health/ready).
// Adapters call `init()` before serving and `close()` on shutdown.
import { Hono, type Context } from 'hono'
import { cors } from 'hono/cors'
import { createMemoryAuthThrottle } from './auth/throttle'
import { createConfigCache } from './config/cache'
import { createConfigSync } from './config/sync'
import { createLeader } from './jobs/leader'
import { runDueJobs, TICK_MS } from './jobs/run-due'
import { createJobState } from './jobs/state'
import type { Core } from './core'
import type { Deps } from './deps'
import { encryptionStatus } from './secrets/status'
import { createErrorHandler } from './errors'
import { redactingLogger } from './secrets/crypto'
import { createKeyService } from './keys/create-service'
import { drainLogQueue } from './logs/drain'
import { createLogWriter } from './logs/writer'
import { createErrorBody } from './proxy/error-shape'
import { createProxyRoutes } from './proxy/index'
import { createContextKeeper } from './http/context-keeper'
import { PrefixRouter } from './http/prefix-router'
import { readiness } from './http/readiness'
import { createConcurrencyLimit } from './proxy/limit'
import { logCapRefusal } from './proxy/refusal-log'
import { createKeySecrets, deploymentSalt } from './secrets/seal'
import { sealStore } from './store/sealed'
import { createTaskRunner } from './keys/tasks'

export interface EdgeloadApp {
  app: Hono
  core: Core
  /** Loads settings, groups and keys into memory and starts the background jobs. */
  init(opts?: { seedSettings?: Record<string, string> }): Promise<void>
  /** Stops jobs and flushes buffered logs and key health. Does not close the store. */
  close(): Promise<void>
}

/** How long a stopping leader spends writing the cluster's queued log rows. */
const CLOSE_DRAIN_MS = 5_000

export const createApp = (given: Deps): EdgeloadApp => {
  const secrets = createKeySecrets(
    given.config.encryptionKey,
    () => deploymentSalt(given.store),
    given.hasher,
  )
  // Everything in the core sees plaintext keys; only the store holds them sealed. The app log
  // never shows a `?key=` value, whatever error text ends up in it.
  const log = redactingLogger(given.log)
  const deps: Deps = { ...given, log, store: sealStore(given.store, secrets) }
  const cache = createConfigCache(deps.store, deps.appUrl)
  // A node-local pool learns of keys another node added from the store (a shared pool needs not).
  const loadPool = () => core.keys.loadPool(cache.all().map((e) => e.group.id))
  const sync = createConfigSync(
    cache,
    deps.coord,
    async () => {
      if (!deps.pool.shared) await loadPool()
    },
    async () => {
      deps.log(
        'warn',
        'shared state was lost (Redis restarted empty?): key pool refilled from the database',
      )
      await loadPool()
    },
  )
  const nodeId = crypto.randomUUID()
  const limit = createConcurrencyLimit(deps.config.maxConcurrentRequests, deps.now, (c, m) =>
    logCapRefusal(core, c, m),
  )
  const core: Core = {
    deps,
    cache,
    sync,
    configChanged: () => sync.changed(),
    nodeId,
    leader: createLeader(deps, nodeId),
    jobs: createJobState(),
    secrets,
    keys: createKeyService(deps, secrets, limit.lastProxied),
    logs: createLogWriter(deps, () => cache.settings().request_log_write_interval_minutes),
    limit,
    // Set below: the runner drives tasks through the core it belongs to.
    tasks: null as unknown as Core['tasks'],
    authThrottle: deps.authThrottle ?? createMemoryAuthThrottle(deps.now),
    startedAt: deps.now(),
  }
  core.tasks = createTaskRunner(core)
  const app = new Hono({ router: new PrefixRouter('/proxy/') })
  const onError = createErrorHandler(deps.log, createErrorBody(cache))
  const notFound = (c: Context) => c.json({ error: 'Not Found' }, 404)
  app.onError(onError)
  app.notFound(notFound)
  const { cors: corsConfig } = deps.config
  if (corsConfig.enabled) {
    // An explicit origin list is echoed; `*` never goes out together with credentials.
    const any = corsConfig.origins.includes('*')
    app.use(
      '*',
      cors({
        origin: any ? '*' : corsConfig.origins,
        allowMethods: corsConfig.methods,
        allowHeaders: corsConfig.headers.includes('*') ? [] : corsConfig.headers,
        credentials: corsConfig.credentials && !any,
      }),
    )
  }
  // Every request passes here, so the latest Context stays reachable (http/context-keeper.ts).
  const keeper = createContextKeeper()
  const { middleware: capped } = core.limit
  app.use('*', (c, next) => {
    keeper.hold(c)
    return capped(c, next)
  })
  app.get('/health', (c) =>
    c.json({
      status: 'healthy',
      timestamp: new Date(deps.now()).toISOString(),
      uptime: `${Math.round((deps.now() - core.startedAt) / 1000)}s`,
    }),
  )
  let loaded = false
  app.get('/health/ready', async (c) => {
    const reasons = await readiness(core, loaded)
    if (reasons.length === 0) return c.json({ status: 'ready' })
    return c.json({ status: 'unavailable', reason: reasons.join('; ') }, 503)
  })
  // The admin API loads on its first request: its routes and schemas, with zod's full API, were a
  // tenth of a start's instructions, and serving the proxy never needs them.
  let admin: Promise<Hono> | undefined
  const loadAdmin = async () => {
    const api = new Hono().route('/api', (await import('./admin/index')).createAdminRoutes(core))
    return api.onError(onError).notFound(notFound)
  }
  const toAdmin = async (c: Context) => {
    admin ??= loadAdmin().catch((err: unknown) => {
      admin = undefined
      throw err
    })
    return (await admin).fetch(c.req.raw, c.env)
  }
  app.all('/api', toAdmin)
  app.all('/api/*', toAdmin)
  app.route('/proxy', createProxyRoutes(core))

  let stopJobs: () => void = () => {}
  return {
    app,
    core,
    async init(opts) {
      if (opts?.seedSettings) await deps.store.seedSettings(opts.seedSettings)
      const enc = await encryptionStatus(deps.store, secrets)
      if (enc.has_mismatch) deps.log('error', enc.message, { suggestion: enc.suggestion })
      await sync.init()
      await core.keys.loadPool(cache.all().map((e) => e.group.id))
      stopJobs = deps.scheduler?.every(TICK_MS, () => runDueJobs(core)) ?? stopJobs
      loaded = true
    },
    async close() {
      stopJobs()
      sync.close()
      await core.tasks.close()
      await core.keys.flush()
      await core.logs.flush()
      // A leader that stops writes what the cluster queued, so a last node stopping loses none.
      const queue = deps.logQueue
      if (queue && core.leader.leads()) {
        await drainLogQueue(queue, deps.store, deps.now, CLOSE_DRAIN_MS, {
          usage: core.logs.usage,
        }).catch((err) =>
          deps.log('error', 'log queue drain at shutdown failed', { error: String(err) }),
        )
        await core.logs.usage?.write(true)
      }
      await core.leader.release()
    },
  }
}
