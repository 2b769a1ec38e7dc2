// The proxy and admin conformance suite: the same bodies run on Node (test/conformance.test.ts)
// and inside workerd (test/workers/conformance.test.ts), each over its runtime's store, pool and
// fetch, against the fake upstream over real HTTP. Groups, keys, plain and streamed proxying,
// retries, cooldown and blacklist, client abort, and logs in the store after a flush.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { api, chat, createGroup, resetUpstream, upstreamRequests, type Harness } from './harness'

interface KeyItem {
  key_value: string
  status: string
  failure_count: number
}
interface Page<T> {
  items: T[]
  pagination: { total_items: number }
}

const keysOf = async (h: Harness, groupId: number, status?: string) =>
  (
    await api<Page<KeyItem>>(
      h,
      'GET',
      `/api/keys?group_id=${groupId}&page_size=100${status ? `&status=${status}` : ''}`,
    )
  ).body.data

const credentials = async (h: Harness) => (await upstreamRequests(h)).map((r) => r.credential)

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export const testConformance = (runtime: string, make: () => Promise<Harness>) => {
  describe(`conformance on ${runtime}`, () => {
    let h: Harness
    beforeAll(async () => {
      h = await make()
    })
    afterAll(() => h?.close())
    beforeEach(() => resetUpstream(h))

    it('creates, lists, updates and deletes a group', async () => {
      const id = await createGroup(h, 'cf-groups', ['sk-cf-g-1'])
      const list = await api<Array<{ id: number; name: string }>>(h, 'GET', '/api/groups')
      expect(list.body.data.map((g) => g.name)).toContain('cf-groups')
      const put = await api<{ display_name: string }>(h, 'PUT', `/api/groups/${id}`, {
        display_name: 'Conformance',
      })
      expect(put.status).toBe(200)
      expect(put.body.data.display_name).toBe('Conformance')
      expect((await chat(h, 'cf-groups')).status).toBe(200)
      expect((await api(h, 'DELETE', `/api/groups/${id}`)).status).toBe(200)
      expect((await chat(h, 'cf-groups')).status).toBe(404)
    })

    it('adds, lists masked, ignores duplicates and deletes keys', async () => {
      const id = await createGroup(h, 'cf-keys', ['sk-cf-k-1111111111', 'sk-cf-k-2222222222'])
      const again = await api<{ added_count: number; ignored_count: number }>(
        h,
        'POST',
        '/api/keys/add-multiple',
        { group_id: id, keys_text: 'sk-cf-k-1111111111\nsk-cf-k-3333333333' },
      )
      expect(again.body.data).toMatchObject({ added_count: 1, ignored_count: 1 })
      const listed = await keysOf(h, id)
      expect(listed.pagination.total_items).toBe(3)
      for (const k of listed.items) expect(k.key_value).not.toMatch(/^sk-cf-k-\d{10}$/)
      const del = await api<{ deleted_count: number }>(h, 'POST', '/api/keys/delete-multiple', {
        group_id: id,
        keys_text: 'sk-cf-k-2222222222',
      })
      expect(del.body.data.deleted_count).toBe(1)
      expect((await keysOf(h, id)).pagination.total_items).toBe(2)
    })

    it('proxies a chat completion with an upstream key, never the proxy key', async () => {
      await createGroup(h, 'cf-plain', ['sk-cf-p-1', 'sk-cf-p-2'])
      const res = await chat(h, 'cf-plain')
      expect(res.status).toBe(200)
      expect(await res.json()).toMatchObject({ object: 'chat.completion', model: 'gpt-4o-mini' })
      const [seen] = await upstreamRequests(h)
      expect(seen).toMatchObject({ path: '/v1/chat/completions', model: 'gpt-4o-mini' })
      expect(['sk-cf-p-1', 'sk-cf-p-2']).toContain(seen!.credential)
    })

    it('streams the events through to [DONE]', async () => {
      await createGroup(h, 'cf-stream', ['sk-cf-s-1'])
      const res = await chat(h, 'cf-stream', { stream: true })
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
      const text = await res.text()
      const events = text.split('\n\n').filter((e) => e.startsWith('data: '))
      expect(events.length).toBeGreaterThan(2)
      expect(events.at(-1)).toBe('data: [DONE]')
    })

    it('retries a refused key on another and logs the retry', async () => {
      await createGroup(h, 'cf-retry', ['sk-cf-bad', 'sk-cf-r-ok'], { max_retries: 2 })
      for (let i = 0; i < 3; i++) expect((await chat(h, 'cf-retry')).status).toBe(200)
      const seen = await credentials(h)
      expect(seen).toContain('sk-cf-bad')
      seen.forEach((c, i) => {
        if (c === 'sk-cf-bad') expect(seen[i + 1]).toBe('sk-cf-r-ok')
      })
      await h.flush()
      const logs = await api<Page<{ status_code: number }>>(
        h,
        'GET',
        '/api/logs?group_name=cf-retry&request_type=retry',
      )
      expect(logs.body.data.items.map((r) => r.status_code)).toContain(401)
    })

    it('blacklists a refused key at the threshold and never picks it again', async () => {
      const id = await createGroup(h, 'cf-black', ['sk-cf-bad', 'sk-cf-b-ok'], {
        blacklist_threshold: 1,
        max_retries: 2,
      })
      for (let i = 0; i < 6; i++) expect((await chat(h, 'cf-black')).status).toBe(200)
      expect((await credentials(h)).filter((c) => c === 'sk-cf-bad')).toHaveLength(1)
      await h.flush()
      const invalid = await keysOf(h, id, 'invalid')
      expect(invalid.pagination.total_items).toBe(1)
    })

    it('cools a rate-limited key down without blacklisting it', async () => {
      const id = await createGroup(h, 'cf-cool', ['sk-cf-429', 'sk-cf-c-ok'], {
        blacklist_threshold: 1,
        max_retries: 2,
      })
      for (let i = 0; i < 6; i++) expect((await chat(h, 'cf-cool')).status).toBe(200)
      expect((await credentials(h)).filter((c) => c === 'sk-cf-429')).toHaveLength(1)
      await h.flush()
      expect((await keysOf(h, id, 'invalid')).pagination.total_items).toBe(0)
    })

    it('cancels the upstream call when the client leaves a stream', async () => {
      await createGroup(h, 'cf-abort', ['sk-cf-slow'])
      const ctl = new AbortController()
      const res = await chat(h, 'cf-abort', { stream: true }, { signal: ctl.signal })
      expect(res.status).toBe(200)
      const reader = res.body!.getReader()
      expect((await reader.read()).done).toBe(false)
      ctl.abort()
      await reader.cancel().catch(() => {})
      let seen = await upstreamRequests(h)
      for (let i = 0; i < 160 && !seen[0]?.closedEarly; i++) {
        await sleep(50)
        seen = await upstreamRequests(h)
      }
      // 100 events 100 ms apart would take 10 s; the upstream saw the gateway leave before.
      expect(seen).toHaveLength(1)
      expect(seen[0]!.closedEarly).toBe(true)
    })

    it('writes every request to the log store after a flush', async () => {
      await createGroup(h, 'cf-logs', ['sk-cf-l-1'])
      expect((await chat(h, 'cf-logs')).status).toBe(200)
      const streamed = await chat(h, 'cf-logs', { stream: true })
      await streamed.text()
      await h.flush()
      const logs = await api<Page<{ is_stream: boolean; key_hash: string; key_value: string }>>(
        h,
        'GET',
        '/api/logs?group_name=cf-logs',
      )
      const rows = logs.body.data.items
      expect(rows.map((r) => r.is_stream).sort()).toEqual([false, true])
      for (const r of rows) {
        expect(r.key_hash).toHaveLength(64)
        expect(r.key_value).not.toBe('sk-cf-l-1')
      }
    })
  })
}
