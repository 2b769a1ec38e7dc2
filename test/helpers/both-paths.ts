// The gateway over both upstream paths: the Node adapter's fast path (the real server, undici)
// and the portable Web-fetch path (createApp driven by app.request), configured alike.
import { createTestApp, type TestApp } from './app'
import { startTestGateway, type TestGateway } from './gateway'

/** The gateway as a test uses it, whichever path it runs. */
export interface PathGateway {
  /** Group ids by name, once created. */
  ids: Record<string, number>
  request(path: string, init: RequestInit): Promise<Response>
  admin<T>(method: string, path: string, body?: unknown): Promise<T>
}

export interface GroupSpec {
  name: string
  channel_type: string
  url: string
  keys: string[]
  config: Record<string, unknown>
}

export const startBothPaths = async () => {
  const node: TestGateway = await startTestGateway()
  const portable: TestApp = await createTestApp()
  const gateways: Record<string, PathGateway> = {
    'Node fast path': {
      ids: {},
      request: (path, init) => fetch(node.url + path, init),
      admin: async (method, path, body) => (await node.admin(method, path, body)).body as never,
    },
    'Web fetch path': {
      ids: {},
      request: async (path, init) => portable.app.request(path, init),
      admin: async (method, path, body) => {
        const res = await portable.api(method, path, body)
        return (await res.json()) as never
      },
    },
  }
  const createGroups = async (specs: GroupSpec[]) => {
    for (const g of Object.values(gateways)) {
      await g.admin('PUT', '/api/settings', { request_log_write_interval_minutes: 0 })
      for (const spec of specs) {
        const created = await g.admin<{ data: { id: number } }>('POST', '/api/groups', {
          name: spec.name,
          channel_type: spec.channel_type,
          test_model: 'm',
          upstreams: [{ url: spec.url, weight: 1 }],
          config: spec.config,
        })
        g.ids[spec.name] = created.data.id
        await g.admin('POST', '/api/keys/add-multiple', {
          group_id: created.data.id,
          keys_text: spec.keys.join('\n'),
        })
      }
    }
  }
  const stop = async () => {
    await node.stop()
    await portable.close()
  }
  return { gateways, createGroups, stop }
}
