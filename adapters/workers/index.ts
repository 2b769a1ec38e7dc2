// The Workers entry (minimal; the full Workers adapter is a later issue): builds Deps from the
// bindings once per isolate (D1 store, memory key pool, global fetch) and serves createApp's app.
import { waitUntil } from 'cloudflare:workers'
import { drizzle } from 'drizzle-orm/d1'
import { createApp, type EdgeloadApp } from '../../src/app'
import { ConfigError, parseEnv, toCoreConfig } from '../../src/config/env'
import type { Deps, FetchFn, Logger, LogLevel } from '../../src/deps'
import { runDueJobs, runNodeJobs } from '../../src/jobs/run-due'
import { createSqlCoordination } from '../../src/coord/sql'
import { createMemoryKeyPool } from '../../src/keys/pool-memory'
import * as schema from '../../src/store/schema.sqlite'
import { createSqlStore } from '../../src/store/sql'
import { runPendingRepairs } from '../../src/store/sql-repair'
import { fromWebFetch } from '../../src/http/web-fetch'

export interface WorkersEnv {
  DB: D1Database
  /** The admin key and first global proxy key: a secret (`wrangler secret put AUTH_KEY`). */
  AUTH_KEY?: string
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

const createConsoleLogger =
  (min: LogLevel): Logger =>
  (level, msg, extra) => {
    if (ORDER[level] < ORDER[min]) return
    // Workers Logs keeps the object structured; no need to stringify.
    if (extra) console[level](msg, extra)
    else console[level](msg)
  }

// Workers' fetch has no connect or header timeout to set; request_timeout still bounds each call.
const upstreamFetch: FetchFn = fromWebFetch(fetch)

const stringsOf = (env: object): Record<string, string> =>
  Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'),
  )

// The origin this isolate was first reached at; empty while only the cron has woken it.
let origin = ''

const boot = async (env: WorkersEnv): Promise<EdgeloadApp> => {
  const cfg = parseEnv(stringsOf(env))
  // No data folder to keep a generated key in, so the key must come from the environment.
  if (!cfg.AUTH_KEY) {
    throw new ConfigError('Invalid environment:\n  AUTH_KEY: is required on Workers')
  }
  const log = createConsoleLogger(cfg.LOG_LEVEL)
  const db = drizzle(env.DB, { schema })
  const repairs = await runPendingRepairs(db)
  if (repairs.fixed > 0) {
    log('warn', 'repaired text stored as invalid UTF-8 by an older version', { ...repairs })
  }
  const deps: Deps = {
    store: createSqlStore(db),
    pool: createMemoryKeyPool(),
    coord: createSqlCoordination(db),
    fetch: upstreamFetch,
    // Deps outlive a request, so this must not capture one request's ctx: the module-level
    // waitUntil attaches to whichever request is current (it is ctx.waitUntil of that request).
    waitUntil: (p) =>
      waitUntil(p.catch((err) => log('error', 'background task failed', { error: String(err) }))),
    now: Date.now,
    log,
    // No timers here: Cron Triggers call runDueJobs, and the leader lease picks one isolate.
    config: toCoreConfig(cfg, cfg.AUTH_KEY),
    clientIp: (c) => c.req.header('cf-connecting-ip') ?? '',
    // The origin this isolate was first reached at stands in for app_url until one is saved.
    appUrl: () => origin,
  }
  const edgeload = createApp(deps)
  await edgeload.init({ seedSettings: { proxy_keys: cfg.AUTH_KEY } })
  return edgeload
}

let ready: Promise<EdgeloadApp> | null = null

export default {
  async fetch(req, env, ctx) {
    origin ||= new URL(req.url).origin
    ready ??= boot(env).catch((err: unknown) => {
      ready = null
      throw err
    })
    let edgeload: EdgeloadApp
    try {
      edgeload = await ready
    } catch (err) {
      if (err instanceof ConfigError) return new Response(err.message + '\n', { status: 500 })
      throw err
    }
    const res = await edgeload.app.fetch(req, env, ctx)
    // This isolate's own duties (config version check, log flush), throttled inside: at most one
    // version read per TICK_MS, however many requests arrive.
    ctx.waitUntil(runNodeJobs(edgeload.core, Date.now()))
    return res
  },

  async scheduled(_event, env, ctx) {
    ready ??= boot(env).catch((err: unknown) => {
      ready = null
      throw err
    })
    ctx.waitUntil(ready.then((edgeload) => runDueJobs(edgeload.core)))
  },
} satisfies ExportedHandler<WorkersEnv>
