// GET /api/logs/export (reference §2.5): a CSV of the keys seen in the matching logs, one row per
// key hash (its latest row), streamed page by page from the store.
import type { Context } from 'hono'
import type { Core } from '../core'
import type { LogFilter } from '../store/types'
import { logQuery } from './logs'
import { readQuery } from './validate'

const PAGE = 1000

/** RFC 4180 quoting, only where a field needs it. */
const csvField = (v: string | number) => {
  const s = String(v)
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** YYYYMMDDhhmmss in UTC, for the file name. */
const stamp = (ms: number) => new Date(ms).toISOString().replace(/\D/g, '').slice(0, 14)

export const exportLogs = (core: Core) => async (c: Context) => {
  const { page: _p, page_size: _s, key_value, ...rest } = readQuery(c, logQuery)
  const filter: LogFilter = { ...rest }
  if (key_value) filter.key_hash = await core.secrets.hash(key_value.trim())
  const { store } = core.deps
  const enc = new TextEncoder()
  let after = ''
  // `key_value` is the masked key: logs keep only the hash and the masked form, never the raw
  // key (v1 stored it encrypted per row and exported it decrypted, reference §8.3 #3).
  const body = new ReadableStream<Uint8Array>({
    start: (ctl) => ctl.enqueue(enc.encode('key_value,group_name,status_code\n')),
    async pull(ctl) {
      const rows = await store.logKeys(filter, after, PAGE)
      if (rows.length > 0) {
        after = rows[rows.length - 1]!.key_hash
        const lines = rows.map((r) =>
          [r.key_masked, r.group_name, r.status_code].map(csvField).join(','),
        )
        ctl.enqueue(enc.encode(`${lines.join('\n')}\n`))
      }
      if (rows.length < PAGE) ctl.close()
    },
  })
  return c.body(body, 200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename=log_keys_export_${stamp(core.deps.now())}.csv`,
  })
}
