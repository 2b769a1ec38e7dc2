// The Workers bench targets, each under its own `wrangler dev`: the bare Worker
// (bench/workers-minimal) and edgeload on a fresh local D1, with the Upstash pool or the
// per-isolate memory pool, configured through the admin API like the Node bench's edgeload.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from './procs'
import { AUTH_KEY, PROXY_PATH, configure } from './configure'
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

const ROOT = fileURLToPath(new URL('..', import.meta.url))

/**
 * wrangler.toml without [assets] and [build], written into `dir`: the Worker alone. With
 * [assets], local dev puts Cloudflare's asset router (two more Workers in the same workerd) in
 * front of every request, and its CPU would count as edgeload's here; in production that router
 * is the platform's, not the Worker's CPU time. Paths become absolute, since the file moves.
 */
const workerOnlyConfig = (dir: string) => {
  const kept: string[] = []
  let dropping = false
  for (const line of readFileSync(join(ROOT, 'wrangler.toml'), 'utf8').split('\n')) {
    const header = /^\[+([^\]]+)\]+/.exec(line)
    if (header) dropping = header[1] === 'assets' || header[1] === 'build'
    if (dropping) continue
    kept.push(
      line.replace(
        /^(main|migrations_dir) = "([^"]+)"/,
        (_, key: string, path: string) => `${key} = ${JSON.stringify(resolve(ROOT, path))}`,
      ),
    )
  }
  const file = join(dir, 'wrangler.toml')
  writeFileSync(file, kept.join('\n'))
  return file
}

const start = async (
  name: string,
  config: string | ((persistTo: string) => string),
  vars: Record<string, string>,
  readyPath: string,
  opts: StartOptions,
  migrate: boolean,
) => {
  const persistTo = mkdtempSync(join(tmpdir(), 'edgeload-wbench-'))
  try {
    const dev = await startWranglerDev(
      {
        config: typeof config === 'string' ? config : config(persistTo),
        name,
        port: await freePort(),
        persistTo,
        migrate,
        vars,
        cpu: opts.cpu,
      },
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

/**
 * edgeload from wrangler.toml; without `upstash`, each isolate keeps its own memory pool. With
 * `assets`, the deploy config as is (local asset router in front); otherwise the Worker alone.
 */
export const startEdgeloadWorker = async (
  name: string,
  upstream: string,
  upstash: UpstashVars | null,
  opts: StartOptions,
  assets = false,
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
    assets ? 'wrangler.toml' : workerOnlyConfig,
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
