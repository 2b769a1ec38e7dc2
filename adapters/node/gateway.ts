// What a server adapter (Node's, the Bun binary's) builds from the environment before it listens:
// the data folder and admin key, Redis, the database, the shared state, the upstream fetch, Deps
// and the initialised app; and, once its server has stopped, the orderly close of all of them.
import { dirname, resolve } from 'node:path'
import { createApp, type EdgeloadApp } from '../../src/app'
import { parseEnv, toCoreConfig, type Env } from '../../src/config/env'
import type { Deps, FetchFn, Logger } from '../../src/deps'
import { authKeyFile, resolveAuthKey } from './auth-key'
import { sqliteFiles, warnOpenModes } from './file-modes'
import { nodeHasher } from './hasher'
import { createLogger } from './logger'
import { sqliteFile, type OpenDatabase } from './open-database'
import { createTimerScheduler } from './scheduler'
import { createSlots } from './slots'
import { connectRedis, migrationLock, openSharedState } from './shared-state'

export interface GatewayRuntime {
  openDatabase: OpenDatabase
  createFetch(raw: Record<string, string | undefined>): FetchFn & { close(): Promise<void> }
  clientIp: Deps['clientIp']
  requestHeaders?: Deps['requestHeaders']
  clientSignal?: Deps['clientSignal']
  readBody?: Deps['readBody']
}

export interface PreparedGateway {
  env: Env
  log: Logger
  deps: Deps
  edgeload: EdgeloadApp
  /** The database for messages, without its password. */
  dbName: string
  /** The port the server bound (PORT=0 picks one): app_url follows it. */
  setPort(port: number): void
  /** Once the server has stopped: background work, the log flush, then every connection. */
  close(): Promise<void>
}

export const prepareGateway = async (
  raw: Record<string, string | undefined>,
  rt: GatewayRuntime,
): Promise<PreparedGateway> => {
  const env = parseEnv(raw)
  const log = createLogger(env.LOG_LEVEL, env.LOG_FORMAT)
  // The data folder holds the SQLite file; for `:memory:` and server databases it is ./data.
  const file = sqliteFile(env.DATABASE_DSN, raw)
  const dataDir = file ? dirname(file) : resolve('data')
  // Checked before anything is created, so only the operator's existing paths are judged.
  warnOpenModes([...(file ? [dataDir, ...sqliteFiles(file)] : []), authKeyFile(dataDir)], (m) =>
    log('warn', m),
  )
  const authKey = resolveAuthKey(env.AUTH_KEY, dataDir, (m) => log('warn', m))
  const link = await connectRedis(env, log)
  const db = await rt
    .openDatabase(env.DATABASE_DSN, raw, {
      mayMigrate: !env.IS_SLAVE,
      log,
      lock: link ? migrationLock(link, env) : undefined,
    })
    .catch(async (err) => {
      await link?.close()
      throw err
    })
  if (db.repairs && db.repairs.fixed > 0) {
    log('warn', 'repaired text stored as invalid UTF-8 by an older version', { ...db.repairs })
  }
  const shared = openSharedState(env, db.coord, link)
  const upstream = rt.createFetch(raw)
  const pending = createSlots<Promise<unknown>>()
  // app_url until an operator saves one; the port is the bound one once listening (PORT=0).
  const host = env.HOST === '0.0.0.0' || env.HOST === '::' ? 'localhost' : env.HOST
  const urlHost = host.includes(':') ? `[${host}]` : host
  let port = env.PORT
  const deps: Deps = {
    store: db.store,
    pool: shared.pool,
    coord: shared.coord,
    logQueue: shared.logQueue,
    fetch: upstream,
    scheduler: createTimerScheduler(),
    waitUntil: (p) => {
      const tracked = p.catch((err) =>
        log('error', 'background task failed', { error: String(err) }),
      )
      pending.add(tracked)
      tracked.finally(() => pending.delete(tracked))
    },
    now: Date.now,
    log,
    config: toCoreConfig(env, authKey),
    appUrl: () => `http://${urlHost}:${port}`,
    hasher: nodeHasher,
    clientIp: rt.clientIp,
    requestHeaders: rt.requestHeaders,
    clientSignal: rt.clientSignal,
    readBody: rt.readBody,
  }
  const edgeload = createApp(deps)
  await edgeload.init({ seedSettings: { proxy_keys: authKey } })
  return {
    env,
    log,
    deps,
    edgeload,
    dbName: db.name,
    setPort: (p) => {
      port = p
    },
    close: async () => {
      await edgeload.close()
      await Promise.allSettled(pending.values())
      await edgeload.core.logs.flush()
      await upstream.close()
      await shared.close()
      await db.close()
    },
  }
}
