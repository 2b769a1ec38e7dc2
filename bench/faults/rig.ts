// One gateway under test for one scenario and mode: the real Node gateway on loopback, its
// settings for the mode, fake upstreams it reaches, and reads of its keys' health.
import type { Behaviour, FakeUpstream } from '../../test/helpers/fake-upstream'
import { startFakeUpstream } from '../../test/helpers/fake-upstream'
import { ADMIN_KEY, startTestGateway } from '../../test/helpers/gateway'
import type { TestGateway } from '../../test/helpers/gateway'
import type { Call } from './client'
import type { Mode } from './types'

export interface Rig {
  mode: Mode
  quick: boolean
  gw: TestGateway
  /** Settings this mode sets that the build does not list (GET /api/settings). */
  missing: string[]
  upstream(behaviours?: Record<string, Behaviour>): Promise<FakeUpstream>
  /** Rate-limit headers as given, or none in v1 mode: v1 reads none of them. */
  signals(headers: Record<string, string>): Record<string, string>
  group(name: string, upstreams: FakeUpstream[], keys: string[], channel?: string): Promise<number>
  chat(group: string, stream: boolean): Call
  gemini(group: string, model: string): Call
  /** Values of the group's keys that a pick for `model` can use now. */
  usable(groupId: number, model: string): Promise<Set<string>>
  /** Values of the group's keys whose stored status is invalid. */
  invalid(groupId: number): Promise<Set<string>>
  /** Upstream calls so far (POSTs on every fake upstream of this rig). */
  attempts(): number
  close(): Promise<void>
}

/** The features edgeload has that are off by default, switched on (or off, for v1). */
const settingsFor = (mode: Mode, quick: boolean): Record<string, number> =>
  mode === 'edgeload'
    ? {
        key_probe_interval_seconds: 1,
        max_wait_for_key_ms: quick ? 1500 : 3000,
        first_byte_timeout: quick ? 1 : 2,
        stream_idle_timeout: quick ? 1 : 2,
      }
    : {
        incident_min_keys: 0,
        key_probe_interval_seconds: 0,
        max_wait_for_key_ms: 0,
        first_byte_timeout: 0,
        stream_idle_timeout: 0,
      }

const listedSettings = async (gw: TestGateway) => {
  const r = await gw.admin<{ data: { settings: { key: string }[] }[] }>('GET', '/api/settings')
  return new Set(r.body.data.flatMap((c) => c.settings.map((s) => s.key)))
}

export const startRig = async (mode: Mode, quick: boolean): Promise<Rig> => {
  const gw = await startTestGateway()
  const upstreams: FakeUpstream[] = []
  const listed = await listedSettings(gw)
  const wanted = settingsFor(mode, quick)
  const missing = Object.keys(wanted).filter((k) => !listed.has(k))
  const put = Object.fromEntries(Object.entries(wanted).filter(([k]) => listed.has(k)))
  const r = await gw.admin('PUT', '/api/settings', put)
  if (r.status !== 200) throw new Error(`PUT /api/settings: ${r.status} ${JSON.stringify(r.body)}`)
  const pool = gw.gw.edgeload.core.deps.pool
  const auth = { authorization: `Bearer ${ADMIN_KEY}` }

  const idsToValues = async (groupId: number) =>
    new Map(Object.values(await gw.keysOf(groupId)).map((k) => [k.id, k]))

  return {
    mode,
    quick,
    gw,
    missing,
    async upstream(behaviours = {}) {
      const u = await startFakeUpstream({ behaviours })
      upstreams.push(u)
      return u
    },
    signals: (headers) => (mode === 'v1' ? {} : headers),
    group: (name, ups, keys, channel = 'openai') =>
      gw.createGroup(
        {
          name,
          channel_type: channel,
          test_model: channel === 'gemini' ? 'gemini-2.0-flash' : 'gpt-4o-mini',
          upstreams: ups.map((u) => ({ url: u.url, weight: 1 })),
        },
        keys,
      ),
    chat: (group, stream) => ({
      url: `${gw.url}/proxy/${group}/v1/chat/completions`,
      headers: auth,
      body: JSON.stringify({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'hi' }],
        ...(stream && { stream: true }),
      }),
      stream,
    }),
    gemini: (group, model) => ({
      url: `${gw.url}/proxy/${group}/v1beta/models/${model}:generateContent`,
      headers: { 'x-goog-api-key': ADMIN_KEY },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
      stream: false,
    }),
    async usable(groupId, model) {
      // Picks with a growing exclude set walk the usable keys once: a pick returns an excluded
      // key only when no other is usable.
      const seen = new Set<number>()
      for (;;) {
        const k = await pool.pick(groupId, Date.now(), seen, model)
        if (!k || seen.has(k.id)) break
        seen.add(k.id)
      }
      const byId = await idsToValues(groupId)
      return new Set([...seen].map((id) => byId.get(id)?.key_value ?? String(id)))
    },
    async invalid(groupId) {
      const rows = Object.values(await gw.keysOf(groupId))
      return new Set(rows.filter((k) => k.status === 'invalid').map((k) => k.key_value))
    },
    attempts: () =>
      upstreams.reduce((n, u) => n + u.requests.filter((q) => q.method === 'POST').length, 0),
    async close() {
      await gw.stop()
      await Promise.all(upstreams.map((u) => u.close()))
    },
  }
}

/** `n` key values with a prefix: `sk-f-1`…`sk-f-n`. */
export const keyNames = (n: number, prefix = 'sk-f') =>
  Array.from({ length: n }, (_, i) => `${prefix}-${i + 1}`)

/** Polls `usable` until every key in `keys` is usable; ms from `from`, or null at `until`. */
export const waitFullHealth = async (
  rig: Rig,
  groupId: number,
  model: string,
  keys: string[],
  from: number,
  until: number,
): Promise<number | null> => {
  while (Date.now() < until) {
    const ok = await rig.usable(groupId, model)
    if (keys.every((k) => ok.has(k))) return Math.max(Date.now() - from, 0)
    await new Promise((r) => setTimeout(r, 100))
  }
  return null
}
