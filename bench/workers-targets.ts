// The Workers bench targets, each under its own `wrangler dev`: the bare Worker
// (bench/workers-minimal) and edgeload on a fresh local D1, with the Upstash pool or the
// per-isolate memory pool, configured through the admin API like the Node bench's edgeload.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AUTH_KEY, PROXY_PATH, configure, freePort } from './targets'
import { detachInspector } from './workerd-inspector'
import type { DevPids } from './wrangler-dev'
import { startWranglerDev } from './wrangler-dev'

export interface WorkerTarget {
  name: string
  url: string
  headers: Record<string, string>
  pids: DevPids
  stop: () => Promise<void>
}

export interface StartOptions {
  /** Pin wrangler and its workerd to this CPU. */
  cpu: number | null
  /** Close wrangler's inspector session on the Worker (see workerd-inspector.ts). */
  detach: boolean
}

export interface UpstashVars {
  url: string
  token: string
  prefix: string
}

const start = async (
  name: string,
  config: string,
  vars: Record<string, string>,
  readyPath: string,
  opts: StartOptions,
  migrate: boolean,
) => {
  const persistTo = mkdtempSync(join(tmpdir(), 'edgeload-wbench-'))
  try {
    const dev = await startWranglerDev(
      { config, name, port: await freePort(), persistTo, migrate, vars, cpu: opts.cpu },
      readyPath,
    )
    if (opts.detach)
      await detachInspector(dev.pids.worker).catch(async (err) => {
        await dev.stop()
        throw err
      })
    return {
      dev,
      stop: async () => {
        await dev.stop()
        rmSync(persistTo, { recursive: true, force: true })
      },
    }
  } catch (err) {
    rmSync(persistTo, { recursive: true, force: true })
    throw err
  }
}

/** The yardstick: a Worker that hands each request to the global fetch, as is. */
export const startBareWorker = async (upstream: string, opts: StartOptions) => {
  const { dev, stop } = await start(
    'edgeload-bench-bare',
    'bench/workers-minimal/wrangler.toml',
    { UPSTREAM: upstream },
    '/v1/models',
    opts,
    false,
  )
  return {
    name: 'bare-worker',
    url: `${dev.base}/v1/chat/completions`,
    headers: { authorization: 'Bearer sk-bench-direct' },
    pids: dev.pids,
    stop,
  } satisfies WorkerTarget
}

/** edgeload from wrangler.toml; without `upstash`, each isolate keeps its own memory pool. */
export const startEdgeloadWorker = async (
  name: string,
  upstream: string,
  upstash: UpstashVars | null,
  opts: StartOptions,
): Promise<WorkerTarget> => {
  const vars: Record<string, string> = {
    AUTH_KEY,
    LOG_LEVEL: 'warn',
    ...(upstash && {
      UPSTASH_REDIS_REST_URL: upstash.url,
      UPSTASH_REDIS_REST_TOKEN: upstash.token,
      REDIS_PREFIX: upstash.prefix,
    }),
  }
  const { dev, stop } = await start(
    `edgeload-bench-${name}`,
    'wrangler.toml',
    vars,
    '/health',
    opts,
    true,
  )
  try {
    await configure(dev.base, upstream)
  } catch (err) {
    await stop()
    throw new Error(`${name}: ${(err as Error).message}\n${dev.output()}`)
  }
  return {
    name,
    url: `${dev.base}${PROXY_PATH}`,
    headers: { authorization: `Bearer ${AUTH_KEY}` },
    pids: dev.pids,
    stop,
  }
}
