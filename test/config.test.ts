// The environment (src/config/env.ts) and AUTH_KEY (adapters/node/auth-key.ts): bad values name the
// variable, defaults follow v1, `npm start` refuses a bad env and reads .env from its cwd, and
// MAX_CONCURRENT_REQUESTS answers 429 past the cap, with Retry-After.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { resolveAuthKey } from '../adapters/node/auth-key'
import { ConfigError, parseEnv } from '../src/config/env'
import { listeningUrl, startChild } from './helpers/child'
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream'
import { ADMIN_KEY, startTestGateway, type TestGateway } from './helpers/gateway'
import { until, within } from './helpers/wait'

const dirs: string[] = []
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'edgeload-config-'))
  dirs.push(d)
  return d
}

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

/** The environment of this test process minus everything the gateway reads. */
const cleanEnv = () => {
  const env = { ...process.env }
  for (const k of [
    'PORT',
    'HOST',
    'AUTH_KEY',
    'DATABASE_DSN',
    'LOG_LEVEL',
    'LOG_FORMAT',
    'ENABLE_CORS',
  ])
    delete env[k]
  return env
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })

const rejection = (raw: Record<string, string>) => {
  try {
    parseEnv(raw)
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError)
    return (err as Error).message
  }
  throw new Error(`parseEnv accepted ${JSON.stringify(raw)}`)
}

describe('parseEnv', () => {
  it('rejects bad values with a message naming the variable', () => {
    expect(rejection({ PORT: 'abc' })).toMatch(/PORT: /)
    expect(rejection({ PORT: '70000' })).toMatch(/PORT: /)
    expect(rejection({ LOG_FORMAT: 'xml' })).toMatch(/LOG_FORMAT: /)
    expect(rejection({ LOG_LEVEL: 'verbose' })).toMatch(/LOG_LEVEL: /)
    expect(rejection({ ENABLE_CORS: 'true' })).toMatch(/ALLOWED_ORIGINS: .*ENABLE_CORS/)
    expect(rejection({ ENABLE_CORS: 'maybe' })).toMatch(/ENABLE_CORS: /)
    expect(rejection({ MAX_CONCURRENT_REQUESTS: '0' })).toMatch(/MAX_CONCURRENT_REQUESTS: /)
    expect(rejection({ SERVER_READ_TIMEOUT: '1.5' })).toMatch(/SERVER_READ_TIMEOUT: /)
    // Every bad variable is named, not only the first.
    const both = rejection({ PORT: 'abc', LOG_FORMAT: 'xml' })
    expect(both).toMatch(/PORT/)
    expect(both).toMatch(/LOG_FORMAT/)
  })

  it('bounds every numeric variable and names the range', () => {
    const ranges: Array<[string, number, number]> = [
      ['PORT', 0, 65535],
      ['SERVER_READ_TIMEOUT', 1, 3600],
      ['SERVER_WRITE_TIMEOUT', 1, 86400],
      ['SERVER_IDLE_TIMEOUT', 1, 3600],
      ['SERVER_GRACEFUL_SHUTDOWN_TIMEOUT', 0, 3600],
      ['MAX_CONCURRENT_REQUESTS', 1, 100000],
      ['MAX_BODY_SIZE_MB', 1, 1024],
    ]
    for (const [name, min, max] of ranges) {
      const text = `${name}: must be an integer between ${min} and ${max}`
      expect(rejection({ [name]: String(max + 1) }), name).toContain(text)
      expect(rejection({ [name]: String(min - 1) }), name).toContain(text)
      expect(rejection({ [name]: '1e15' }), name).toContain(text)
      expect(parseEnv({ [name]: String(max) })[name as 'PORT'], name).toBe(max)
    }
  })

  it("has v1's defaults, and treats empty strings as unset", () => {
    const env = parseEnv({})
    expect(env).toMatchObject({
      PORT: 3001,
      HOST: '0.0.0.0',
      SERVER_READ_TIMEOUT: 60,
      SERVER_WRITE_TIMEOUT: 600,
      SERVER_IDLE_TIMEOUT: 120,
      SERVER_GRACEFUL_SHUTDOWN_TIMEOUT: 10,
      IS_SLAVE: false,
      MAX_CONCURRENT_REQUESTS: 100,
      ENABLE_CORS: false,
      ALLOWED_ORIGINS: [],
      ALLOWED_METHODS: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
      ALLOWED_HEADERS: ['*'],
      ALLOW_CREDENTIALS: false,
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'text',
    })
    expect(env.AUTH_KEY).toBeUndefined()
    expect(parseEnv({ PORT: '', HOST: '  ' })).toMatchObject({ PORT: 3001, HOST: '0.0.0.0' })
  })

  it('refuses a slave without REDIS_DSN, which v1 starts and answers 503 everywhere', () => {
    expect(() => parseEnv({ IS_SLAVE: 'true' })).toThrow(
      /REDIS_DSN: is required when IS_SLAVE=true/,
    )
    expect(parseEnv({ IS_SLAVE: 'true', REDIS_DSN: 'rediss://u:p@r:6380/2' })).toMatchObject({
      IS_SLAVE: true,
      REDIS_PREFIX: 'edgeload:',
    })
    expect(() => parseEnv({ REDIS_DSN: 'r:6379' })).toThrow(/REDIS_DSN: must be a redis:/)
    expect(() => parseEnv({ REDIS_DSN: 'redis://r', REDIS_PREFIX: 'a b' })).toThrow(
      /REDIS_PREFIX: must be 1–64/,
    )
  })

  it('raises a graceful shutdown timeout below 10 s to 10, as v1 does', () => {
    expect(
      parseEnv({ SERVER_GRACEFUL_SHUTDOWN_TIMEOUT: '3' }).SERVER_GRACEFUL_SHUTDOWN_TIMEOUT,
    ).toBe(10)
    expect(
      parseEnv({ SERVER_GRACEFUL_SHUTDOWN_TIMEOUT: '30' }).SERVER_GRACEFUL_SHUTDOWN_TIMEOUT,
    ).toBe(30)
  })

  it('parses booleans and lists the way v1 does', () => {
    for (const v of ['true', '1', 'yes', 'on'])
      expect(parseEnv({ IS_SLAVE: v, REDIS_DSN: 'redis://r:6379' }).IS_SLAVE).toBe(true)
    for (const v of ['false', '0', 'no', 'off'])
      expect(parseEnv({ IS_SLAVE: v }).IS_SLAVE).toBe(false)
    const cors = parseEnv({
      ENABLE_CORS: 'true',
      ALLOWED_ORIGINS: 'https://a.example, https://b.example',
    })
    expect(cors.ALLOWED_ORIGINS).toEqual(['https://a.example', 'https://b.example'])
  })
})

describe('resolveAuthKey', () => {
  it('generates a key into <dir>/auth.key with mode 0600 once, then reuses it', () => {
    const dir = join(tempDir(), 'data')
    const said: string[] = []
    const key = resolveAuthKey(undefined, dir, (m) => said.push(m))
    expect(key.length).toBeGreaterThanOrEqual(32)
    const file = join(dir, 'auth.key')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(readFileSync(file, 'utf8').trim()).toBe(key)
    expect(said.length).toBe(1)
    expect(said[0]).toContain(key)
    expect(said[0]).toContain(file)

    // The next start reads the same key and prints nothing (the key is shown only once).
    const again: string[] = []
    expect(resolveAuthKey(undefined, dir, (m) => again.push(m))).toBe(key)
    expect(resolveAuthKey('', dir, (m) => again.push(m))).toBe(key)
    expect(again).toEqual([])
  })

  it('uses a configured key as is, warning when it is short', () => {
    const dir = tempDir()
    const said: string[] = []
    expect(resolveAuthKey('short-key', dir, (m) => said.push(m))).toBe('short-key')
    expect(said.length).toBe(1)
    expect(said[0]).toMatch(/WARNING: AUTH_KEY is shorter than 16/)
    expect(said[0]).not.toContain('short-key')
    said.length = 0
    expect(resolveAuthKey(ADMIN_KEY, dir, (m) => said.push(m))).toBe(ADMIN_KEY)
    expect(said).toEqual([])
  })
})

describe('node adapters/node/start.mjs', () => {
  it('exits non-zero naming PORT when PORT=abc', async () => {
    const cwd = tempDir()
    const child = startChild(cwd, { ...cleanEnv(), PORT: 'abc', AUTH_KEY: ADMIN_KEY })
    const { code } = await within(
      child.exit,
      20_000,
      () => `exit (output: ${child.out.text})`,
    ).finally(() => {
      if (child.proc.exitCode === null) child.proc.kill('SIGKILL')
    })
    expect(code).not.toBe(0)
    expect(code).not.toBeNull()
    expect(child.out.text).toMatch(/PORT: /)
    expect(child.out.text).not.toMatch(/at .*\.ts:\d+/) // a message, not a stack trace
  })

  // esbuild names its outputs relative to its working directory. From a cwd nearer the file
  // system's root than the repo, start.mjs once pruned the build it had just made.
  it('starts with / as its working directory', async () => {
    const db = join(tempDir(), 'edgeload.db')
    const child = startChild('/', {
      ...cleanEnv(),
      PORT: '0',
      HOST: '127.0.0.1',
      AUTH_KEY: ADMIN_KEY,
      DATABASE_DSN: db,
      LOG_LEVEL: 'info',
    })
    try {
      const url = await listeningUrl(child, 30_000)
      expect((await fetch(`${url}/health`)).status).toBe(200)
      expect(statSync(db).isFile()).toBe(true)
    } finally {
      child.proc.kill('SIGKILL')
    }
  })

  // The admin API and the full zod load on the first /api request, not at start: they were a
  // tenth of a start's work. A static import from the start's path would bring them back.
  it('loads the admin API on its first request, not at start', async () => {
    const child = startChild(tempDir(), {
      ...cleanEnv(),
      PORT: '0',
      HOST: '127.0.0.1',
      AUTH_KEY: ADMIN_KEY,
    })
    try {
      const url = await listeningUrl(child, 30_000)
      const dist = fileURLToPath(new URL('../dist/node/', import.meta.url))
      const read = (f: string) => readFileSync(join(dist, f), 'utf8')
      // What a start loads: main.mjs and the chunks it imports statically, transitively.
      const loaded = new Set(['main.mjs'])
      for (const f of loaded)
        for (const m of read(f).matchAll(/(?:\bfrom|^import)\s*"\.\/([\w.-]+\.mjs)"/gm))
          loaded.add(m[1]!)
      const atStart = [...loaded].map(read).join('\n')
      expect(atStart).toContain('var createProxyRoutes =')
      expect(atStart).not.toContain('var createAdminRoutes =')
      expect(atStart).not.toContain('"ZodEmail"') // zod's full API, beside zod/mini
      // The environment's parser carries only the part of zod's core it uses: the rest (its JSON
      // Schema output, say) comes with the admin API.
      expect(atStart).toContain('var parseEnv =')
      expect(atStart).not.toContain('toJSONSchema')
      // PostgreSQL's and MySQL's tables and dialects come with their drivers.
      expect(atStart).not.toContain('var pgDialect =')
      expect(atStart).not.toContain('var mysqlDialect =')
      const lazy = /import\("\.\/(admin-[\w-]+\.mjs)"\)/.exec(read('main.mjs'))
      expect(lazy).not.toBeNull()
      expect(read(lazy![1]!)).toContain('var createAdminRoutes =')
      expect(read(lazy![1]!)).toContain('"ZodEmail"')
      expect(read(lazy![1]!)).toContain('toJSONSchema')

      // Requests that arrive while it loads are each answered.
      const login = () =>
        fetch(`${url}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ auth_key: ADMIN_KEY }),
        })
      const first = await Promise.all([login(), login(), login(), login()])
      expect(first.map((r) => r.status)).toEqual([200, 200, 200, 200])
      const auth = { authorization: `Bearer ${ADMIN_KEY}` }
      const missing = await fetch(`${url}/api/no-such-route`, { headers: auth })
      expect(missing.status).toBe(404)
      expect(await missing.json()).toEqual({ error: 'Not Found' })
      expect((await fetch(`${url}/api/channel-types`)).status).toBe(401)
    } finally {
      child.proc.kill('SIGKILL')
    }
  })

  it('reads .env from its cwd (the real env wins), resolving relative paths there', async () => {
    const cwd = tempDir()
    const port = await freePort()
    const envKey = 'dotenv-admin-key-0123456789'
    writeFileSync(
      join(cwd, '.env'),
      [`PORT=${port}`, 'HOST=127.0.0.1', `AUTH_KEY=${envKey}`, 'LOG_LEVEL=error', ''].join('\n'),
    )
    // No DATABASE_DSN: the default ./data/edgeload.db must land under this cwd.
    const child = startChild(cwd, { ...cleanEnv(), LOG_LEVEL: 'info' })
    try {
      const url = `http://127.0.0.1:${port}`
      const health = () =>
        fetch(`${url}/health`).then(
          (r) => r.status,
          () => 0,
        )
      // Stops early when the child exits, so a start-up failure shows its output at once.
      await until(
        async () => child.proc.exitCode !== null || (await health()) === 200,
        20_000,
        () => `health (output: ${child.out.text})`,
      )
      expect(await health(), child.out.text).toBe(200)
      const groups = await fetch(`${url}/api/groups`, {
        headers: { authorization: `Bearer ${envKey}` },
      })
      expect(groups.status).toBe(200)
      const wrong = await fetch(`${url}/api/groups`, {
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
      })
      expect(wrong.status).toBe(401)
      expect(statSync(join(cwd, 'data', 'edgeload.db')).isFile()).toBe(true)
      // LOG_LEVEL=info from the real environment beat LOG_LEVEL=error in .env.
      expect(child.out.text).toMatch(/listening on http:\/\/127\.0\.0\.1:/)

      child.proc.kill('SIGTERM')
      expect((await within(child.exit, 15_000, 'exit after SIGTERM')).code).toBe(0)
    } finally {
      if (child.proc.exitCode === null) child.proc.kill('SIGKILL')
    }
  })
})

describe('MAX_CONCURRENT_REQUESTS', () => {
  let up: FakeUpstream | undefined
  let t: TestGateway | undefined

  afterAll(async () => {
    await t?.stop()
    await up?.close()
  })

  it('answers 429 with a JSON message past the cap, and frees the slots afterwards', async () => {
    up = await startFakeUpstream({ behaviours: { 'sk-slow': { delayMs: 800 } } })
    t = await startTestGateway({ MAX_CONCURRENT_REQUESTS: '2' })
    await t.createGroup({ name: 'slow', upstreams: [{ url: up.url, weight: 1 }] }, ['sk-slow'])
    const chat = () =>
      fetch(`${t!.url}/proxy/slow/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
      })
    const first = [chat(), chat()]
    await until(() => up!.requests.length >= 2, 5000, 'two requests reach the upstream')
    expect(up.requests.length).toBe(2)

    const third = await chat()
    expect(third.status).toBe(429)
    expect(third.headers.get('content-type')).toMatch(/application\/json/)
    // A client may try again after Retry-After (issue 9, item 10).
    expect(third.headers.get('retry-after')).toBe('1')
    const body = (await third.json()) as { error: { code: string; message: string } }
    expect(body.error.code).toBe('TOO_MANY_REQUESTS')
    expect(body.error.message).toMatch(/concurrent requests.*2/)
    // The cap covers every route, the admin API included, in v1's envelope there.
    const admin = await fetch(`${t.url}/api/groups`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    })
    expect(admin.status).toBe(429)
    expect(admin.headers.get('retry-after')).toBe('1')
    expect(await admin.json()).toEqual({
      code: 'TOO_MANY_REQUESTS',
      message: 'Too many concurrent requests (limit 2)',
    })
    expect(up.requests.length).toBe(2)
    // The log tells the refusal apart from an upstream 429 and a cooling pool.
    const { core } = t.gw.edgeload
    await core.logs.flush()
    const rows = (await core.deps.store.queryLogs({ page: 1, page_size: 10 })).items
    expect(rows.find((r) => r.status_code === 429)).toMatchObject({
      group_name: 'slow',
      key_hash: '',
      upstream_addr: '',
      error_message:
        'refused by the local concurrency limit: Too many concurrent requests (limit 2)',
    })

    const done = await Promise.all(first)
    expect(done.map((r) => r.status)).toEqual([200, 200])
    await Promise.all(done.map((r) => r.arrayBuffer()))
    expect((await chat()).status).toBe(200)
  })
})
