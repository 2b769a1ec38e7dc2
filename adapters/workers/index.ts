// The Workers entry: `fetch` serves the gateway and the admin API (static assets serve the
// console before the Worker runs, see wrangler.toml), `scheduled` runs the due jobs from the Cron
// Trigger. Deps are built from the bindings once per isolate: D1 or libSQL, Upstash or a
// per-isolate memory pool, the global fetch, and waitUntil for background writes. No timers.
import { waitUntil } from 'cloudflare:workers'
import { createApp, type EdgeloadApp } from '../../src/app'
import { ConfigError, parseEnv, toCoreConfig } from '../../src/config/env'
import type { Deps, FetchFn } from '../../src/deps'
import { fromWebFetch } from '../../src/http/web-fetch'
import { runDueJobs, runNodeJobs } from '../../src/jobs/run-due'
import { runPendingRepairs } from '../../src/store/sql-repair'
import type { WorkersEnv } from './bindings'
import { createConsoleLogger } from './logger'
import { openShared } from './shared'
import { openStorage } from './storage'

export type { WorkersEnv } from './bindings'

// Workers' fetch has no connect or header timeout to set; request_timeout still bounds each call.
const upstreamFetch: FetchFn = fromWebFetch(fetch)

// One drive of a key task per invocation: well inside waitUntil's 30 s after a response, and
// about 50 chunks of ~10 queries each under D1's 1000 per invocation. The cron trigger and later
// requests drive the rest (src/keys/tasks.ts).
export const TASK_BUDGET = { ms: 10_000, chunks: 50 }

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
  const storage = openStorage(env)
  const repairs = await runPendingRepairs(storage.db)
  if (repairs.fixed > 0) {
    log('warn', 'repaired text stored as invalid UTF-8 by an older version', { ...repairs })
  }
  const shared = openShared(env, storage.coord, cfg.REDIS_PREFIX)
  if (!shared.shared) {
    log(
      'warn',
      'no Upstash Redis bound: each isolate keeps its own key pool (rotation, cooldowns and ' +
        'blacklist are not shared); set UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN',
    )
  }
  const deps: Deps = {
    store: storage.store,
    pool: shared.pool,
    coord: shared.coord,
    fetch: upstreamFetch,
    // Deps outlive a request, so this must not capture one request's ctx: the module-level
    // waitUntil attaches to whichever request is current (it is ctx.waitUntil of that request).
    waitUntil: (p) =>
      waitUntil(p.catch((err) => log('error', 'background task failed', { error: String(err) }))),
    now: Date.now,
    log,
    // No scheduler: Cron Triggers call runDueJobs, and the leader lease picks one isolate.
    config: {
      ...toCoreConfig(cfg, cfg.AUTH_KEY),
      notices: shared.shared ? [] : ['pool_per_isolate'],
      taskBudget: TASK_BUDGET,
    },
    clientIp: (c) => c.req.header('cf-connecting-ip') ?? '',
    // The origin this isolate was first reached at stands in for app_url until one is saved.
    appUrl: () => origin,
  }
  const edgeload = createApp(deps)
  await edgeload.init({ seedSettings: { proxy_keys: cfg.AUTH_KEY } })
  return edgeload
}

let ready: Promise<EdgeloadApp> | null = null
const booted = (env: WorkersEnv) =>
  (ready ??= boot(env).catch((err: unknown) => {
    ready = null
    throw err
  }))

export default {
  async fetch(req, env, ctx) {
    origin ||= new URL(req.url).origin
    let edgeload: EdgeloadApp
    try {
      edgeload = await booted(env)
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
    // The cron also writes this isolate's buffered request logs, whenever they were last written.
    const run = (edgeload: EdgeloadApp) =>
      Promise.all([runDueJobs(edgeload.core), edgeload.core.logs.flush()])
    ctx.waitUntil(booted(env).then(run))
  },
} satisfies ExportedHandler<WorkersEnv>
