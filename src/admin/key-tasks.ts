// Key tasks (reference §2.4, §2.5): async import, async delete and group validation, run one at a
// time by core.tasks, plus GET /tasks/status. Input is checked before a task starts, so a bad
// start gets its true 4xx (v1 answers 409 for all, §8.1 #8) and writes nothing.
import { Hono, type Context } from 'hono'
import { z } from 'zod'
import type { Core } from '../core'
import { badRequest, notFound } from '../errors'
import { checkKey } from '../keys/check'
import { checkKeysText } from '../keys/syntax'
import type { KeyStatus } from '../store/types'
import { forEachLimit } from '../keys/validate'
import { ok } from './respond'
import { check, intString, jsonInt, readJson } from './validate'

// Chunks small enough that proxied traffic gets turns between them (v1: 500 and 1000).
const IMPORT_CHUNK = 1000
const DELETE_CHUNK = 1000
const VALIDATE_PAGE = 1000

const keysBody = z.object({ group_id: jsonInt(1), keys_text: z.string() })
const uploadForm = z.object({ group_id: intString(1) })
const validateBody = z.object({
  group_id: jsonInt(1),
  status: z.enum(['active', 'invalid'], { error: "must be 'active' or 'invalid'" }).optional(),
})

/** JSON `{group_id, keys_text}`, or multipart `group_id` plus a `.txt` `file`. */
const readImport = async (c: Context) => {
  if (!(c.req.header('content-type') ?? '').startsWith('multipart/form-data')) {
    return readJson(c, keysBody)
  }
  const form = await c.req.parseBody()
  const { group_id } = check(uploadForm, { group_id: form.group_id })
  const file = form.file
  if (typeof file !== 'object' || file === null) throw badRequest('file: is required')
  if (!file.name.toLowerCase().endsWith('.txt')) throw badRequest('file: only .txt files')
  return { group_id, keys_text: await file.text() }
}

/** Runs `fn` over `items` chunk by chunk, reporting progress after each. */
const inChunks = async <T>(
  items: T[],
  size: number,
  progress: (n: number) => void,
  fn: (chunk: T[]) => Promise<void>,
) => {
  for (let i = 0; i < items.length; i += size) {
    await fn(items.slice(i, i + size))
    progress(Math.min(i + size, items.length))
  }
}

export const createKeyTaskRoutes = (core: Core): Hono => {
  const { store } = core.deps
  const app = new Hono()

  const groupOf = async (id: number) => {
    const group = await store.getGroup(id)
    if (!group) throw notFound(`Group ${id} not found`)
    return group
  }

  const parseKeys = (text: string) => {
    const keys = core.keys.parse(text)
    if (keys.length === 0) throw badRequest('keys_text: no valid keys found')
    return keys
  }

  /** Runs `op` over the keys chunk by chunk as one task; the result counts what `op` did. */
  const startKeysTask = async (
    type: 'KEY_IMPORT' | 'KEY_DELETE',
    body: { group_id: number; keys_text: string },
    chunkSize: number,
    op: (groupId: number, chunk: string[]) => Promise<{ count: number }>,
    countName: 'added_count' | 'deleted_count',
  ) => {
    if (type === 'KEY_IMPORT') checkKeysText(body.keys_text)
    const keys = parseKeys(body.keys_text)
    const group = await groupOf(body.group_id)
    return core.tasks.start({
      type,
      groupName: group.name,
      total: keys.length,
      async run(progress) {
        let done = 0
        try {
          await inChunks(keys, chunkSize, progress, async (chunk) => {
            done += (await op(group.id, chunk)).count
          })
        } finally {
          // The request's own bump came before these keys were written: other nodes' local
          // pools learn of them from this one.
          if (done > 0) await core.configChanged()
        }
        return { [countName]: done, ignored_count: keys.length - done }
      },
    })
  }

  app.post('/add-async', async (c) =>
    ok(
      c,
      await startKeysTask(
        'KEY_IMPORT',
        await readImport(c),
        IMPORT_CHUNK,
        core.keys.add,
        'added_count',
      ),
    ),
  )

  app.post('/delete-async', async (c) =>
    ok(
      c,
      await startKeysTask(
        'KEY_DELETE',
        await readJson(c, keysBody),
        DELETE_CHUNK,
        core.keys.delete,
        'deleted_count',
      ),
    ),
  )

  app.post('/validate-group', async (c) => {
    const body = await readJson(c, validateBody)
    await groupOf(body.group_id)
    const entry = core.cache.byId(body.group_id)
    if (!entry || entry.group.group_type !== 'standard') {
      throw badRequest('group_id: only standard groups have keys to validate')
    }
    const status: KeyStatus | undefined = body.status
    const counts = await store.countKeys(entry.group.id)
    // Disabled keys are skipped, so they are not part of the total either.
    const total = status ? counts[status] : counts.total - counts.disabled
    const started = await core.tasks.start({
      type: 'KEY_VALIDATION',
      groupName: entry.group.name,
      total,
      async run(progress) {
        // Pending health writes first, so the statuses read back are current.
        await core.keys.flush()
        let done = 0
        let valid = 0
        let afterId = 0
        for (;;) {
          const page = await store.loadKeys(entry.group.id, afterId, VALIDATE_PAGE, status)
          if (page.length === 0) break
          afterId = page[page.length - 1]!.id
          // Disabled keys are never validated: they are off until turned on by hand.
          const enabled = await core.keys.openRows(page.filter((r) => r.enabled !== false))
          await forEachLimit(enabled, entry.settings.key_validation_concurrency, async (row) => {
            const needsRestore = row.status !== 'active' || row.failure_count > 0
            if ((await checkKey(core, entry, { ...row, needsRestore })).ok) valid++
            progress(++done)
          })
          if (page.length < VALIDATE_PAGE) break
        }
        return { total_keys: done, valid_keys: valid, invalid_keys: done - valid }
      },
    })
    return ok(c, started)
  })

  return app
}

export const getTaskStatus = (core: Core) => async (c: Context) => ok(c, await core.tasks.status())
