// Upstream keys of a group (reference §2.4). Changes go through core.keys so the store and the key
// pool stay in step; listed keys are masked unless `?reveal=true`.
import { Hono } from 'hono'
import { z } from 'zod'
import type { Core } from '../core'
import { maskKey } from '../secrets/crypto'
import { badRequest, notFound } from '../errors'
import { checkKeysText } from '../keys/syntax'
import type { ApiKey } from '../store/types'
import { ok, toPaginated } from './respond'
import {
  boolString,
  idParam,
  intString,
  jsonInt,
  pagingQuery,
  readJson,
  readQuery,
} from './validate'

const MAX_KEYS_PER_REQUEST = 5000

const groupId = jsonInt(1)
const groupBody = z.object({ group_id: groupId })
const keysBody = z.object({ group_id: groupId, keys_text: z.string() })
const enabledBody = z.object({ enabled: z.boolean() })
const keysEnabledBody = keysBody.extend(enabledBody.shape)
const notesBody = z.object({
  notes: z
    .string()
    .trim()
    .refine((s) => [...s].length <= 255, { error: 'must be at most 255 characters' }),
})
const listQuery = z.object({
  ...pagingQuery,
  group_id: intString(1),
  status: z.enum(['active', 'invalid'], { error: "must be 'active' or 'invalid'" }).optional(),
  key_value: z.string().optional(),
  reveal: boolString.optional(),
})

export const toKeyItem = (k: ApiKey, reveal: boolean) => ({
  id: k.id,
  key_value: reveal ? k.key_value : maskKey(k.key_value),
  key_hash: k.key_hash,
  group_id: k.group_id,
  status: k.status,
  notes: k.notes,
  request_count: k.request_count,
  failure_count: k.failure_count,
  enabled: k.enabled,
  last_used_at: k.last_used_at,
  created_at: k.created_at,
  updated_at: k.updated_at,
})

export const createKeyRoutes = (core: Core): Hono => {
  const { store } = core.deps
  const app = new Hono()

  const requireGroup = async (id: number) => {
    if (!(await store.getGroup(id))) throw notFound(`Group ${id} not found`)
  }

  /** Parses keys_text into at most 5000 distinct keys; checked before anything is written. */
  const toKeys = async (body: z.output<typeof keysBody>) => {
    const keys = core.keys.parse(body.keys_text)
    if (keys.length === 0) throw badRequest('keys_text: no keys found')
    if (keys.length > MAX_KEYS_PER_REQUEST) {
      throw badRequest(
        `keys_text: at most ${MAX_KEYS_PER_REQUEST} keys per request (got ${keys.length})`,
      )
    }
    await requireGroup(body.group_id)
    return { groupId: body.group_id, keys }
  }

  app.get('/', async (c) => {
    const q = readQuery(c, listQuery)
    await requireGroup(q.group_id)
    const paging = { page: q.page, page_size: q.page_size }
    const page = await store.listKeys({
      group_id: q.group_id,
      status: q.status,
      key_hash: q.key_value ? await core.secrets.hash(q.key_value.trim()) : undefined,
      ...paging,
    })
    const items = page.items.map((k) => toKeyItem(k, q.reveal === true))
    return ok(c, toPaginated(items, page.total, paging))
  })

  /** add, delete and restore answer alike in v1; only the name of the count differs. */
  const keyListRoute = (path: string, op: 'add' | 'delete' | 'restore', countName: string) =>
    app.post(path, async (c) => {
      const body = await readJson(c, keysBody)
      // Only new keys are checked: a key stored before the check can still be named to delete it.
      if (op === 'add') checkKeysText(body.keys_text)
      const { groupId, keys } = await toKeys(body)
      const r = await core.keys[op](groupId, keys)
      return ok(c, {
        [countName]: r.count,
        ignored_count: r.ignored,
        total_in_group: r.total_in_group,
      })
    })

  keyListRoute('/add-multiple', 'add', 'added_count')
  keyListRoute('/delete-multiple', 'delete', 'deleted_count')
  keyListRoute('/restore-multiple', 'restore', 'restored_count')

  /** A change to a whole group, answered with only a message that counts the keys changed. */
  const groupRoute = (path: string, run: (groupId: number) => Promise<number>, done: string) =>
    app.post(path, async (c) => {
      const { group_id } = await readJson(c, groupBody)
      await requireGroup(group_id)
      return ok(c, undefined, `${await run(group_id)} ${done}`)
    })

  groupRoute('/restore-all-invalid', (id) => core.keys.restoreAllInvalid(id), 'keys restored')
  groupRoute('/clear-all-invalid', (id) => core.keys.clear(id, 'invalid'), 'invalid keys cleared')
  groupRoute('/clear-all', (id) => core.keys.clear(id), 'keys cleared')

  // Manual on/off (edgeload, issue 3): apart from health, so restores never turn a key back on.
  app.put('/status', async (c) => {
    const body = await readJson(c, keysEnabledBody)
    const { groupId, keys } = await toKeys(body)
    const enabled = body.enabled
    const r = await core.keys.setEnabled(groupId, keys, enabled)
    return ok(c, {
      updated_count: r.count,
      ignored_count: r.ignored,
      total_in_group: r.total_in_group,
    })
  })

  app.put('/:id/status', async (c) => {
    const id = idParam(c)
    const { enabled } = await readJson(c, enabledBody)
    const key = await store.getKey(id)
    if (!key) throw notFound(`Key ${id} not found`)
    await core.keys.setEnabledByIds(key.group_id, [id], enabled)
    return ok(c, undefined, enabled ? 'Key enabled' : 'Key disabled')
  })

  // A key's health transitions, newest first (edgeload issue 3).
  app.get('/:id/history', async (c) => {
    const id = idParam(c)
    const paging = readQuery(c, z.object(pagingQuery))
    if (!(await store.getKey(id))) throw notFound(`Key ${id} not found`)
    // Queued events first, so an action is in the history as soon as its request returns.
    await core.keys.flush()
    const page = await store.listKeyEvents(id, paging.page, paging.page_size)
    return ok(c, toPaginated(page.items, page.total, paging))
  })

  app.put('/:id/notes', async (c) => {
    const id = idParam(c)
    const { notes } = await readJson(c, notesBody)
    if (!(await store.setKeyNotes(id, notes))) throw notFound(`Key ${id} not found`)
    return ok(c, undefined, 'Notes updated')
  })

  return app
}
