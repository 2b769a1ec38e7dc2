// The bench's yardstick proxies forward what a client sends and answer what the upstream sent, so
// a ratio to them compares like with like: chats, SSE streams and 1 MiB bodies, byte for byte.
import { createClient } from '@libsql/client'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LOG_FLUSH_MS } from '../src/logs/writer'
import { startMinimal, type MinimalKind, type Target } from '../bench/targets'
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream'

const KINDS: MinimalKind[] = ['minimal', 'minimal-buffered', 'minimal-hono', 'minimal-hono-logged']

describe.each(KINDS)('bench yardstick %s', (kind) => {
  let upstream: FakeUpstream
  let proxy: Target
  beforeAll(async () => {
    upstream = await startFakeUpstream({ behaviours: { default: { events: 3 } } })
    proxy = await startMinimal(upstream.url, null, kind)
  }, 30_000)
  afterAll(async () => {
    await proxy?.stop()
    await upstream?.close()
  })

  const post = (body: string) =>
    fetch(proxy.urls[0]!, {
      method: 'POST',
      headers: { ...proxy.headers, 'content-type': 'application/json' },
      body,
    })

  it('forwards a chat as sent and answers with the upstream JSON', async () => {
    upstream.requests.length = 0
    const body = JSON.stringify({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
    })
    const res = await post(body)
    expect(res.status).toBe(200)
    expect(((await res.json()) as { object: string }).object).toBe('chat.completion')
    expect(upstream.requests).toHaveLength(1)
    const [seen] = upstream.requests
    expect(seen!.path).toBe('/v1/chat/completions')
    expect(seen!.body).toBe(body)
    expect(seen!.credential).toBe('sk-bench-direct')
  })

  it('passes an SSE stream through to its [DONE]', async () => {
    const res = await post(
      JSON.stringify({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'hi' }],
        stream: true,
      }),
    )
    expect(res.headers.get('content-type')).toContain('text/event-stream')
    const text = await res.text()
    expect(text.match(/^data: /gm)).toHaveLength(6) // role, 3 events, finish, [DONE]
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true)
  })

  it('forwards a 1 MiB body byte for byte', async () => {
    upstream.requests.length = 0
    const content = 'é'.repeat(512 * 1024)
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] })
    const res = await post(body)
    expect(res.status).toBe(200)
    await res.arrayBuffer()
    expect(upstream.requests[0]!.body).toBe(body)
  })
})

describe('bench yardstick minimal-hono-logged', () => {
  let upstream: FakeUpstream
  let proxy: Target
  const dir = mkdtempSync(join(tmpdir(), 'yardstick-logged-'))
  beforeAll(async () => {
    upstream = await startFakeUpstream()
    proxy = await startMinimal(upstream.url, null, 'minimal-hono-logged', { LOG_DIR: dir })
  }, 30_000)
  afterAll(async () => {
    await proxy?.stop()
    await upstream?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('stores a log row for every request, in the next write', async () => {
    const body = JSON.stringify({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
    })
    for (let i = 0; i < 3; i++) {
      const res = await fetch(proxy.urls[0]!, {
        method: 'POST',
        headers: { ...proxy.headers, 'content-type': 'application/json' },
        body,
      })
      expect(res.status).toBe(200)
      await res.arrayBuffer()
    }
    const db = createClient({ url: `file:${join(dir, 'bench.db')}` })
    try {
      const rows = async () =>
        // startMinimal's readiness probe, a GET /v1/models, is stored too.
        (
          await db.execute(
            `select model, status_code, is_success from request_logs
             where request_path = '/v1/chat/completions'`,
          )
        ).rows
      // The write comes with the next LOG_FLUSH_MS tick.
      const deadline = Date.now() + LOG_FLUSH_MS + 3000
      while ((await rows()).length < 3 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200))
      const stored = await rows()
      expect(stored).toHaveLength(3)
      expect(stored.map((r) => [r.model, r.status_code, r.is_success])).toEqual(
        Array(3).fill(['gpt-4o-mini', 200, 1]),
      )
    } finally {
      db.close()
    }
  }, 15_000)
})
