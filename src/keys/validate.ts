// Checks one upstream key with the channel's validation request. Errors never carry the key.
import type { GroupEntry } from '../config/cache'
import type { Core } from '../core'
import { redact, redactUrlKeys } from '../secrets/crypto'
import { classifyStatus } from '../proxy/health'
import { applyHeaderRules } from '../proxy/header-rules'
import { errorMessageOf, readErrorBody } from '../proxy/response'

export interface ValidationResult {
  ok: boolean
  status: number
  error: string
  /** 401/403 or a provider's invalid-key error: the only failures that count against a key. */
  authFailure: boolean
}

export const validateKey = async (
  core: Core,
  entry: GroupEntry,
  key: string,
): Promise<ValidationResult> => {
  const { settings, channel, group } = entry
  const base = entry.upstreams.next()
  if (!base) {
    return { ok: false, status: 0, error: 'no upstream with weight > 0', authFailure: false }
  }
  const { url, init } = channel.validationRequest(group, base, key)
  // v1 applies header rules to validation too, with the loopback address as the client (§6).
  if (entry.headerRules) {
    applyHeaderRules(init.headers, entry.headerRules, {
      clientIp: '127.0.0.1',
      now: core.deps.now(),
      groupName: group.name,
      apiKey: key,
    })
  }
  try {
    const limit = settings.key_validation_timeout_seconds * 1000
    const res = await core.deps.fetch(new URL(url), {
      ...init,
      timeouts: { connect: settings.connect_timeout * 1000, headers: limit, total: limit },
      proxy: settings.proxy_url,
    })
    const { text } = await readErrorBody(res)
    if (res.status >= 200 && res.status < 300) {
      return { ok: true, status: res.status, error: '', authFailure: false }
    }
    const outcome = classifyStatus(channel, res.status, res.headers, text, core.deps.now())
    return {
      ok: false,
      status: res.status,
      error: `[status ${res.status}] ${redact(errorMessageOf(text), key)}`,
      authFailure: outcome?.kind === 'auth_failure',
    }
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err)
    return { ok: false, status: 0, error: redact(redactUrlKeys(msg), key), authFailure: false }
  }
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export const forEachLimit = async <T>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<void>,
) => {
  let next = 0
  const worker = async () => {
    while (next < items.length) await fn(items[next++])
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}
