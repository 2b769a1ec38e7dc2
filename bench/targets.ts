// The processes under test: the fake upstream, the minimal proxy and edgeload (one node with the
// memory or the Redis key pool, or a master and a slave on one database and one Redis prefix),
// each a child process optionally pinned to one CPU, plus edgeload's setup through its admin API.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { dropRedisPrefix, freshRedisPrefix } from '../test/helpers/redis'
import {
  AUTH_KEY,
  BENCH_ENCRYPTION_KEY,
  configure,
  PROXY_PATH,
  proxiesOk,
  type GroupWork,
} from './configure'
import { freePort, sleep, spawnPinned, spawnTs, waitFor, type Proc } from './procs'

export { AUTH_KEY }

export interface Target {
  name: string
  /** The chat completions URL of each node (the load is split evenly over them). */
  urls: string[]
  /** The headers a client sends. */
  headers: Record<string, string>
  /** The proxy processes whose CPU time is measured; none for the upstream itself. */
  pids: number[]
  /** Where the nodes keep their key pool in Redis, and the bench group's id in it. */
  redis?: { url: string; prefix: string; groupId: number }
  /**
   * Requests to send before the first measurement: with many keys, enough that each key is picked
   * once, so that a sealed key's one decryption per process is behind it (a long-lived node's
   * steady state).
   */
  warmRequests?: number
  stop: () => Promise<void>
}

export const startUpstream = async (cpu: number | null, events: number) => {
  const port = await freePort()
  const proc = spawnTs(
    'bench/fake-upstream.ts',
    ['--port', String(port), '--events', String(events)],
    {},
    cpu,
  )
  const url = `http://127.0.0.1:${port}`
  await waitFor(proc, `${url}/v1/models`, () => true)
  return { url, stop: proc.stop }
}

/**
 * A Redis of the bench's own (`redis-server` on a free port, nothing saved), pinned like the
 * upstream: its command counts are the bench's alone.
 */
export const startRedis = async (cpu: number | null) => {
  const port = await freePort()
  const proc = spawnPinned(
    [
      'redis-server',
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ],
    { cwd: tmpdir(), env: {}, cpu, graceMs: 3000 },
  )
  const url = `redis://127.0.0.1:${port}`
  const deadline = Date.now() + 10_000
  for (;;) {
    const client = new Redis(url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    })
    client.on('error', () => {}) // reported below if it never answers
    try {
      await client.connect()
      await client.ping()
      return { url, stop: proc.stop }
    } catch (err) {
      if (proc.child.exitCode !== null || Date.now() > deadline) {
        await proc.stop()
        throw new Error(`redis-server did not start: ${(err as Error).message}\n${proc.output()}`)
      }
      await sleep(100)
    } finally {
      client.disconnect()
    }
  }
}

export const directTarget = (upstream: string): Target => ({
  name: 'direct',
  urls: [`${upstream}/v1/chat/completions`],
  headers: { authorization: 'Bearer sk-bench-direct' },
  pids: [],
  stop: async () => {},
})

/**
 * The yardsticks: bench/minimal-proxy.ts, as is or reading each body whole; bench/minimal-hono.ts,
 * and bench/minimal-hono-logged.ts (that, storing a log row per request).
 */
/**
 * Node flags of every yardstick. Without this one, V8 may decide while a process warms up that
 * an allocation site's objects live long (its pretenuring, from their survival in a young-
 * generation collection) and allocate them in the old generation from then on: such a process
 * costs 1.3–1.5× per request for its whole life (bench/README.md, "Reading the figures"). Edgeload
 * runs as shipped; in pairs with and without the flag it read the same (bench/README.md).
 */
export const YARDSTICK_NODE_ARGS = ['--no-allocation-site-pretenuring']

export type MinimalKind = 'minimal' | 'minimal-buffered' | 'minimal-hono' | 'minimal-hono-logged'

/** A yardstick proxy (`kind`) in front of `upstream`. */
export const startMinimal = async (
  upstream: string,
  cpu: number | null,
  kind: MinimalKind = 'minimal',
  env: Record<string, string> = {},
): Promise<Target> => {
  const port = await freePort()
  const proc = spawnTs(
    kind.startsWith('minimal-hono') ? `bench/${kind}.ts` : 'bench/minimal-proxy.ts',
    [],
    {
      UPSTREAM: upstream,
      PORT: String(port),
      ...(kind === 'minimal-buffered' && { BUFFER: '1' }),
      ...env,
    },
    cpu,
    YARDSTICK_NODE_ARGS,
  )
  const base = `http://127.0.0.1:${port}`
  try {
    await waitFor(proc, `${base}/v1/models`, () => true)
  } catch (err) {
    await proc.stop()
    throw new Error(`${kind} failed to start: ${(err as Error).message}`)
  }
  return {
    name: kind,
    urls: [`${base}/v1/chat/completions`],
    headers: { authorization: 'Bearer sk-bench-direct' },
    pids: [proc.child.pid!],
    stop: proc.stop,
  }
}

export interface EdgeloadOptions {
  name: string
  /** Keep the key pool, leases, config version and log queue in this Redis, under a fresh prefix. */
  redisUrl?: string
  /** 2: a master and an IS_SLAVE=true slave sharing one SQLite file and the Redis prefix. */
  nodes?: 1 | 2
  /** Runs this executable (the Bun binary, dist/edgeload) instead of `npm start`'s Node process. */
  binary?: string
  /** What the bench group carries beyond its 8 keys (bench/configure.ts). */
  work?: GroupWork
  /** Sets ENCRYPTION_KEY: keys are stored sealed and unsealed into the pool. */
  encrypted?: boolean
  /** More env for the node (for example MAX_CONCURRENT_REQUESTS past 64 connections). */
  env?: Record<string, string>
}

/**
 * edgeload from adapters/node/main.ts (or `binary`), with one group of keys pointing at the fake upstream. With
 * `redisUrl`, under a fresh prefix that `stop` deletes.
 */
export const startEdgeload = async (
  upstream: string,
  cpu: number | null,
  opts: EdgeloadOptions = { name: 'edgeload' },
): Promise<Target> => {
  const dir = mkdtempSync(join(tmpdir(), 'edgeload-bench-'))
  const redisUrl = opts.redisUrl
  if ((opts.nodes ?? 1) > 1 && !redisUrl) throw new Error('a cluster needs redisUrl')
  const prefix = redisUrl ? freshRedisPrefix() : null
  const shared = {
    HOST: '127.0.0.1',
    AUTH_KEY,
    DATABASE_DSN: join(dir, 'bench.db'),
    LOG_LEVEL: 'warn',
    ...(opts.encrypted && { ENCRYPTION_KEY: BENCH_ENCRYPTION_KEY }),
    ...opts.env,
    ...(redisUrl && prefix && { REDIS_DSN: redisUrl, REDIS_PREFIX: prefix }),
  }
  const procs: Proc[] = []
  const stop = async () => {
    await Promise.all(procs.map((p) => p.stop()))
    rmSync(dir, { recursive: true, force: true })
    if (redisUrl && prefix) await dropRedisPrefix(prefix, redisUrl).catch(() => {})
  }
  /** Starts one node the way `npm start` does (compiled by esbuild, no TypeScript loader). */
  const startNode = async (env: Record<string, string>) => {
    const port = await freePort()
    const nodeEnv = { ...shared, ...env, PORT: String(port) }
    const proc = opts.binary
      ? spawnPinned([opts.binary], { cwd: dir, env: nodeEnv, cpu, graceMs: 3000 })
      : spawnTs('adapters/node/start.mjs', [], { ...nodeEnv, BENCH_PROFILE: '1' }, cpu)
    procs.push(proc)
    const base = `http://127.0.0.1:${port}`
    await waitFor(proc, `${base}/health`, (s) => s === 200)
    return { base, pid: proc.child.pid! }
  }
  try {
    // Nodes start one after another: each start compiles to the same dist/node/main.mjs.
    const master = await startNode({})
    const groupId = await configure(master.base, upstream, opts.work)
    const nodes = [master]
    for (let i = 1; i < (opts.nodes ?? 1); i++) {
      const slave = await startNode({ IS_SLAVE: 'true' })
      await proxiesOk(slave.base)
      nodes.push(slave)
    }
    return {
      name: opts.name,
      urls: nodes.map((n) => `${n.base}${PROXY_PATH}`),
      headers: { authorization: `Bearer ${AUTH_KEY}` },
      pids: nodes.map((n) => n.pid),
      ...(redisUrl && prefix && { redis: { url: redisUrl, prefix, groupId } }),
      ...(opts.work?.extraKeys && { warmRequests: opts.work.extraKeys + 8 }),
      stop,
    }
  } catch (err) {
    await stop()
    throw new Error(`${opts.name} failed to start: ${(err as Error).message}`)
  }
}
