// Starts the real Node gateway on a loopback socket with a fresh SQLite file, plus helpers to
// configure it through the admin API the way an operator would.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startNodeGateway, type NodeGateway } from '../../adapters/node/server'

export const ADMIN_KEY = 'test-admin-key-0123456789'

/**
 * A header chat() sends, which the gateway forwards: it tells a client's request at the fake
 * upstream from the gateway's own calls (a key validation sends the same body).
 */
export const CHAT_MARK = 'x-test-chat'

/** A key as GET /api/keys?reveal=true lists it (the fields tests read). */
export interface KeyRow {
  id: number
  key_value: string
  status: string
  failure_count: number
}

export interface TestGateway {
  gw: NodeGateway
  url: string
  dir: string
  admin<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }>
  createGroup(spec: Record<string, unknown>, keys?: string[]): Promise<number>
  /** The group's keys (up to 100), revealed and indexed by key value. */
  keysOf(groupId: number): Promise<Record<string, KeyRow>>
  /** A small OpenAI chat completion through `/proxy/{group}` with the admin key as proxy key. */
  chat(group: string): Promise<Response>
  stop(): Promise<void>
}

export const startTestGateway = async (env: Record<string, string> = {}): Promise<TestGateway> => {
  const dir = mkdtempSync(join(tmpdir(), 'edgeload-test-'))
  const gw = await startNodeGateway({
    PORT: '0',
    HOST: '127.0.0.1',
    AUTH_KEY: ADMIN_KEY,
    DATABASE_DSN: join(dir, 'edgeload.db'),
    LOG_LEVEL: 'error',
    ...env,
  })
  const url = `http://127.0.0.1:${gw.port}`
  const admin = async <T>(method: string, path: string, body?: unknown) => {
    const res = await fetch(url + path, {
      method,
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return { status: res.status, body: (await res.json()) as T }
  }
  return {
    gw,
    url,
    dir,
    admin,
    async createGroup(spec, keys = []) {
      const r = await admin<{ data: { id: number } }>('POST', '/api/groups', {
        channel_type: 'openai',
        test_model: 'gpt-4o-mini',
        ...spec,
      })
      if (r.status !== 200) throw new Error(`create group: ${r.status} ${JSON.stringify(r.body)}`)
      const id = r.body.data.id
      if (keys.length) {
        const k = await admin('POST', '/api/keys/add-multiple', {
          group_id: id,
          keys_text: keys.join('\n'),
        })
        if (k.status !== 200) throw new Error(`add keys: ${k.status} ${JSON.stringify(k.body)}`)
      }
      return id
    },
    async keysOf(groupId) {
      const r = await admin<{ data: { items: KeyRow[] } }>(
        'GET',
        `/api/keys?group_id=${groupId}&reveal=true&page_size=100`,
      )
      return Object.fromEntries(r.body.data.items.map((k) => [k.key_value, k]))
    },
    chat: (group) =>
      fetch(`${url}/proxy/${group}/v1/chat/completions`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${ADMIN_KEY}`,
          'content-type': 'application/json',
          [CHAT_MARK]: '1',
        },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
      }),
    async stop() {
      await gw.shutdown()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
