// POST /keys/test-multiple and GET /keys/export (reference §2.4). Tests run concurrently, bounded
// by key_validation_concurrency (v1 runs them one by one, §8.2 #8); the export streams the keys
// page by page from the store, so a large group is never held in memory.
import { Hono } from 'hono'
import { z } from 'zod'
import type { Core } from '../core'
import { maskKey } from '../secrets/crypto'
import { badRequest, notFound } from '../errors'
import { checkKey } from '../keys/check'
import { forEachLimit } from '../keys/validate'
import { ok } from './respond'
import { boolString, intString, jsonInt, readJson, readQuery } from './validate'

const MAX_KEYS_PER_REQUEST = 5000
const EXPORT_PAGE = 1000
const MISSING = 'Key does not exist in this group or has been removed.'

const testBody = z.object({ group_id: jsonInt(1), keys_text: z.string() })
const testQuery = z.object({ reveal: boolString.optional() })
const exportQuery = z.object({
  group_id: intString(1),
  status: z
    .enum(['all', 'active', 'invalid'], { error: "must be 'all', 'active' or 'invalid'" })
    .optional()
    .default('all'),
})

interface TestResult {
  key_value: string
  is_valid: boolean
  error: string
}

export const createKeyTestExportRoutes = (core: Core): Hono => {
  const { store } = core.deps
  const app = new Hono()

  app.post('/test-multiple', async (c) => {
    const { reveal } = readQuery(c, testQuery)
    const body = await readJson(c, testBody)
    const keys = core.keys.parse(body.keys_text)
    if (keys.length === 0) throw badRequest('keys_text: no keys found')
    if (keys.length > MAX_KEYS_PER_REQUEST) {
      throw badRequest(
        `keys_text: at most ${MAX_KEYS_PER_REQUEST} keys per request (got ${keys.length})`,
      )
    }
    if (!(await store.getGroup(body.group_id))) throw notFound(`Group ${body.group_id} not found`)
    const entry = core.cache.byId(body.group_id)
    if (!entry) throw notFound(`Group ${body.group_id} not found`)
    const started = core.deps.now()
    await core.keys.flush()
    const results: TestResult[] = new Array(keys.length)
    const indexes = keys.map((_, i) => i)
    await forEachLimit(indexes, entry.settings.key_validation_concurrency, async (i) => {
      const key = keys[i]!
      const shown = reveal === true ? key : maskKey(key)
      const [id] = await store.findKeyIds(entry.group.id, [await core.secrets.hash(key)])
      if (id === undefined) {
        results[i] = { key_value: shown, is_valid: false, error: MISSING }
        return
      }
      const r = await checkKey(core, entry, { id, key_value: key })
      results[i] = { key_value: shown, is_valid: r.ok, error: r.error }
    })
    return ok(c, { results, total_duration: core.deps.now() - started })
  })

  app.get('/export', async (c) => {
    const q = readQuery(c, exportQuery)
    const group = await store.getGroup(q.group_id)
    if (!group) throw notFound(`Group ${q.group_id} not found`)
    const status = q.status === 'all' ? undefined : q.status
    const enc = new TextEncoder()
    let afterId = 0
    const body = new ReadableStream<Uint8Array>({
      async pull(ctl) {
        const page = await store.loadKeys(group.id, afterId, EXPORT_PAGE, status)
        if (page.length > 0) {
          afterId = page[page.length - 1]!.id
          const rows = await core.keys.openRows(page)
          if (rows.length > 0)
            ctl.enqueue(enc.encode(`${rows.map((r) => r.key_value).join('\n')}\n`))
        }
        if (page.length < EXPORT_PAGE) ctl.close()
      },
    })
    // Group names are limited to URL-safe characters, so the file name needs no quoting.
    return c.body(body, 200, {
      'content-type': 'text/plain; charset=utf-8',
      'content-disposition': `attachment; filename=keys-${group.name}-${q.status}.txt`,
    })
  })

  return app
}
