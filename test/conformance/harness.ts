// What the conformance suite needs of a runtime: the gateway's Hono app (createApp over that
// runtime's store and pool), the fake upstream's URL as the gateway reaches it, and what the
// fake saw. Only Web APIs here: the same bodies run on Node and inside workerd.
import type { RecordedSummary } from '../helpers/fake-upstream'

export interface Harness {
  /** The gateway: createApp's `app.request`. */
  request(path: string, init?: RequestInit): Promise<Response>
  adminKey: string
  /** The fake upstream's base URL, for a group's `upstreams`. */
  upstreamUrl: string
  /** Background work done, then buffered logs and key health written to the store. */
  flush(): Promise<void>
  close(): Promise<void>
}

/** Reads what the fake upstream recorded, over HTTP (the only way in from workerd). */
export const upstreamRequests = async (h: Harness): Promise<RecordedSummary[]> =>
  (await fetch(`${h.upstreamUrl}/__fake/requests`)).json() as Promise<RecordedSummary[]>

export const resetUpstream = async (h: Harness): Promise<void> => {
  await (await fetch(`${h.upstreamUrl}/__fake/reset`, { method: 'POST' })).arrayBuffer()
}

export const api = async <T = unknown>(
  h: Harness,
  method: string,
  path: string,
  body?: unknown,
) => {
  const res = await h.request(path, {
    method,
    headers: { authorization: `Bearer ${h.adminKey}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return {
    status: res.status,
    body: (await res.json()) as { code: number; data: T; message: string },
  }
}

export const chat = (
  h: Harness,
  group: string,
  extra: Record<string, unknown> = {},
  init: RequestInit = {},
) =>
  h.request(`/proxy/${group}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${h.adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      ...extra,
    }),
    ...init,
  })

/** Creates a group on the fake upstream with `keys`; returns its id. */
export const createGroup = async (
  h: Harness,
  name: string,
  keys: string[],
  config: Record<string, unknown> = {},
) => {
  const g = await api<{ id: number }>(h, 'POST', '/api/groups', {
    name,
    channel_type: 'openai',
    test_model: 'gpt-4o-mini',
    upstreams: [{ url: h.upstreamUrl, weight: 1 }],
    config,
  })
  if (g.status !== 200)
    throw new Error(`create group ${name}: ${g.status} ${JSON.stringify(g.body)}`)
  if (keys.length > 0) {
    const k = await api(h, 'POST', '/api/keys/add-multiple', {
      group_id: g.body.data.id,
      keys_text: keys.join('\n'),
    })
    if (k.status !== 200) throw new Error(`add keys: ${k.status} ${JSON.stringify(k.body)}`)
  }
  return g.body.data.id
}
