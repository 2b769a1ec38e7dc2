// `npm run dev:workers` as a user runs it: wrangler dev on loopback with a local D1 migrated by
// the script, and Upstash (the Upstash-REST test server in front of the real Redis) as .dev.vars
// would set it. Creates a group through the admin API, proxies a plain and a streamed request to
// a fake upstream on loopback, loads the console at / and at a deep link, and stops.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream'
import { dropRedisPrefix, freshRedisPrefix } from './helpers/redis'
import { startUpstashServer, type UpstashServer } from './helpers/upstash-server'
import { until } from './helpers/wait'

const AUTH = 'wd-smoke-admin-key-0123456789abcdef'
const persist = mkdtempSync(join(tmpdir(), 'edgeload-wrangler-'))
let upstream: FakeUpstream
let upstash: UpstashServer
const prefix = freshRedisPrefix()
let child: ChildProcess
let base = ''
let out = ''

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })

const api = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${AUTH}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as { data: Record<string, unknown> } }
}

const chat = (stream: boolean) =>
  fetch(`${base}/proxy/smoke/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${AUTH}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'gpt-4o-mini',
      stream,
      messages: [{ role: 'user', content: 'hi' }],
    }),
  })

beforeAll(async () => {
  upstream = await startFakeUpstream()
  upstash = await startUpstashServer()
  const port = await freePort()
  base = `http://127.0.0.1:${port}`
  const vars = {
    UPSTASH_REDIS_REST_URL: upstash.url,
    UPSTASH_REDIS_REST_TOKEN: upstash.token,
    REDIS_PREFIX: prefix,
  }
  child = spawn(
    'node',
    [
      'adapters/workers/dev.mjs',
      '--port',
      String(port),
      '--persist-to',
      persist,
      ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
    ],
    { env: { ...process.env, AUTH_KEY: AUTH }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  await until(
    () => out.includes('Ready on'),
    90_000,
    () => `wrangler dev is ready:\n${out}`,
  )
}, 120_000)

afterAll(async () => {
  if (child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r))
    process.kill(-child.pid!, 'SIGTERM')
    await exited
  }
  await upstream?.close()
  await upstash?.close()
  await dropRedisPrefix(prefix)
  rmSync(persist, { recursive: true, force: true })
})

describe('npm run dev:workers', () => {
  it('serves the gateway: a group, keys, a plain and a streamed proxied request', async () => {
    const g = await api('POST', '/api/groups', {
      name: 'smoke',
      channel_type: 'openai',
      test_model: 'gpt-4o-mini',
      upstreams: [{ url: upstream.url, weight: 1 }],
    })
    expect(g.status, JSON.stringify(g.body)).toBe(200)
    const k = await api('POST', '/api/keys/add-multiple', {
      group_id: g.body.data.id,
      keys_text: 'sk-smoke-1\nsk-smoke-2',
    })
    expect(k.status).toBe(200)

    const plain = await chat(false)
    expect(plain.status).toBe(200)
    expect(((await plain.json()) as { object: string }).object).toBe('chat.completion')

    const streamed = await chat(true)
    expect(streamed.status).toBe(200)
    expect(streamed.headers.get('content-type')).toMatch(/text\/event-stream/)
    const text = await streamed.text()
    expect(text).toContain('data: [DONE]')
    expect(upstream.requests.map((r) => r.credential).sort()).toEqual(['sk-smoke-1', 'sk-smoke-2'])
    // The pool lived in Upstash: the picks went there, and no per-isolate warning is shown.
    expect(upstash.commands()).toBeGreaterThan(0)
    const stats = await api('GET', '/api/dashboard/stats')
    const warnings = stats.body.data.security_warnings as Array<{ type: string }>
    expect(warnings.map((w) => w.type)).not.toContain('POOL_PER_ISOLATE')
  })

  it('serves the console at / and at a deep link, and the health check', async () => {
    const root = await fetch(`${base}/`)
    expect(root.status).toBe(200)
    const html = await root.text()
    expect(html).toMatch(/<div id="app"|<script type="module"/)
    const deep = await fetch(`${base}/keys?group=1`, { headers: { 'sec-fetch-mode': 'navigate' } })
    expect(deep.status).toBe(200)
    expect(await deep.text()).toBe(html)
    expect((await fetch(`${base}/health`)).status).toBe(200)
  })
})
