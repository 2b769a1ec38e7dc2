// Key tasks (reference §2.4, §2.5): async import, async delete and group validation, run one at a
// time and resumably by core.tasks, plus GET /tasks/status. Input is checked before a task
// starts, so a bad start gets its true 4xx (v1 answers 409 for all, §8.1 #8) and writes nothing.
import { Hono, type Context } from 'hono'
import { z } from 'zod'
import type { Core } from '../core'
import { badRequest, notFound } from '../errors'
import { checkKeysText } from '../keys/syntax'
import type { KeyStatus } from '../store/types'
import { ok } from './respond'
import { check, intString, jsonInt, readJson } from './validate'

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

  /** Stores the keys as one task (src/keys/tasks.ts runs it chunk by chunk, resumably). */
  const startKeysTask = async (
    type: 'KEY_IMPORT' | 'KEY_DELETE',
    body: { group_id: number; keys_text: string },
  ) => {
    if (type === 'KEY_IMPORT') checkKeysText(body.keys_text)
    const keys = parseKeys(body.keys_text)
    const group = await groupOf(body.group_id)
    return core.tasks.start({
      type,
      groupId: group.id,
      groupName: group.name,
      total: keys.length,
      keys,
    })
  }

  app.post('/add-async', async (c) => ok(c, await startKeysTask('KEY_IMPORT', await readImport(c))))

  app.post('/delete-async', async (c) =>
    ok(c, await startKeysTask('KEY_DELETE', await readJson(c, keysBody))),
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
      groupId: entry.group.id,
      groupName: entry.group.name,
      total,
      status,
    })
    return ok(c, started)
  })

  return app
}

export const getTaskStatus = (core: Core) => async (c: Context) => ok(c, await core.tasks.status())
