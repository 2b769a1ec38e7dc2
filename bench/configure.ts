// edgeload's bench setup through its admin API: the `bench` group on the fake upstream, and the
// "fully at work" variants (issue 15): 100,000 keys in the group, header rules and a param
// override. ENCRYPTION_KEY and the Redis pool are the process's env (bench/targets.ts).
import { sleep } from './procs'

export const AUTH_KEY = 'bench-admin-key-0123456789'
export const PROXY_PATH = '/proxy/bench/v1/chat/completions'
/** The ENCRYPTION_KEY of the sealed variants. */
export const BENCH_ENCRYPTION_KEY = 'bench-encryption-key-0123456789abcdef'

/** What the bench group carries beyond its 8 keys. */
export interface GroupWork {
  /** Keys added beside the 8 that answer (the fake upstream takes any key). */
  extraKeys?: number
  /** Two header rules (one set, one remove) and a param override on every request. */
  rules?: boolean
}

/** The memory-pool variants, one feature each: what `npm run bench` and bench:instructions run. */
export const VARIANTS: Record<string, { work?: GroupWork; encrypted?: boolean }> = {
  'edgeload-100k': { work: { extraKeys: 100_000 } },
  'edgeload-sealed': { encrypted: true },
  'edgeload-rules': { work: { rules: true } },
}

const call = async (base: string, method: string, path: string, body?: unknown) => {
  const res = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${AUTH_KEY}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  let json: { code?: number; data?: Record<string, unknown> } = {}
  try {
    json = JSON.parse(text)
  } catch {
    // Reported below with the raw text.
  }
  if (!res.ok || json.code !== 0)
    throw new Error(`${method} ${path} → HTTP ${res.status}: ${text.slice(0, 300)}`)
  return json.data
}

/** Imports `n` keys with add-async and waits for the task to end. */
const importKeys = async (base: string, groupId: number, n: number) => {
  const keys = Array.from({ length: n }, (_, i) => `sk-bench-extra-${i}`).join('\n')
  await call(base, 'POST', '/api/keys/add-async', { group_id: groupId, keys_text: keys })
  const deadline = Date.now() + 300_000
  for (;;) {
    const s = (await call(base, 'GET', '/api/tasks/status')) as {
      is_running?: boolean
      error?: string
    }
    if (!s?.is_running) {
      if (s?.error) throw new Error(`key import failed: ${s.error}`)
      return
    }
    if (Date.now() > deadline) throw new Error('key import still running after 300 s')
    await sleep(100)
  }
}

/** Creates the `bench` group (openai, 8 keys) on the fake upstream; returns its id once it proxies. */
export const configure = async (base: string, upstream: string, work: GroupWork = {}) => {
  const group = await call(base, 'POST', '/api/groups', {
    name: 'bench',
    group_type: 'standard',
    channel_type: 'openai',
    upstreams: [{ url: upstream, weight: 1 }],
    test_model: 'gpt-4o-mini',
    ...(work.rules && {
      header_rules: [
        { key: 'x-bench-tenant', value: 'edgeload', action: 'set' },
        { key: 'x-client-trace', value: '', action: 'remove' },
      ],
      param_overrides: { temperature: 0.2 },
    }),
  })
  if (typeof group?.id !== 'number') throw new Error('POST /api/groups returned no data.id')
  const keys = Array.from({ length: 8 }, (_, i) => `sk-bench-${i + 1}`).join(',')
  await call(base, 'POST', '/api/keys/add-multiple', { group_id: group.id, keys_text: keys })
  if (work.extraKeys) await importKeys(base, group.id, work.extraKeys)
  await proxiesOk(base)
  return group.id
}

/** Keys may become usable a moment after they are added; probe until one request goes through. */
export const proxiesOk = async (base: string) => {
  const deadline = Date.now() + 10_000
  let last = ''
  while (Date.now() < deadline) {
    const res = await fetch(`${base}${PROXY_PATH}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${AUTH_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    })
    const text = await res.text()
    if (res.status === 200 && text.includes('chat.completion')) return
    last = `HTTP ${res.status}: ${text.slice(0, 300)}`
    await sleep(200)
  }
  throw new Error(`the proxy route never answered 200 (last ${last})`)
}
