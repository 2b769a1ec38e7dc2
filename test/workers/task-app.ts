// The app the key-task tests drive inside workerd: the given store, pool, coordination and clock,
// the fake OpenAI upstream, background work collected so a test can settle it as an invocation's
// end would, and the admin API as plain calls.
import { createApp } from '../../src/app'
import type { Deps } from '../../src/deps'
import { createFakeOpenAI } from './fake-openai'

export const startTaskApp = async (
  deps: Omit<Deps, 'fetch' | 'waitUntil' | 'log'>,
  auth: string,
) => {
  const pending: Promise<unknown>[] = []
  const edgeload = createApp({
    ...deps,
    fetch: createFakeOpenAI().fetch,
    waitUntil: (p) => void pending.push(p),
    log: () => {},
  })
  await edgeload.init({ seedSettings: { proxy_keys: auth } })
  const request = async (path: string, body?: unknown) => {
    const res = await edgeload.app.request(path, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { Authorization: `Bearer ${auth}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return ((await res.json()) as { data: any }).data
  }
  /** Waits for the background work, and for what it started in turn. */
  const settle = async () => {
    while (pending.length) await Promise.all(pending.splice(0))
  }
  const createGroup = async (name: string): Promise<number> =>
    (
      await request('/api/groups', {
        name,
        channel_type: 'openai',
        upstreams: [{ url: 'https://upstream.test', weight: 1 }],
      })
    ).id
  return { core: edgeload.core, request, settle, createGroup }
}
