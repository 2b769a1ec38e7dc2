// GET /api/integration/info?key=<proxy key> (reference §2.2): public, so it is mounted before
// the admin auth middleware. The admin key is usually a global proxy key, so a key that reaches
// no group counts as a failed authentication, as at login.
import { Hono } from 'hono'
import type { GroupEntry } from '../config/cache'
import type { Core } from '../core'
import { badRequest } from '../errors'
import { reachableGroups, toIntegrationItem } from '../config/integration'
import { createAdminGuard } from './auth'
import { ok } from './respond'

export const createIntegrationRoute = (core: Core): Hono => {
  // A proxy key's success clears nothing (see createAdminGuard).
  const guard = createAdminGuard(core, false)
  return new Hono().get('/integration/info', async (c) => {
    const key = c.req.query('key')
    if (!key) throw badRequest('key: is required')
    let groups: GroupEntry[] = []
    const r = await guard(c, () => {
      groups = reachableGroups(core.cache, key, core.cache.all(), false)
      return groups.length > 0
    })
    if (r instanceof Response) return r
    if (!r) throw badRequest('key: matches no group')
    return ok(
      c,
      groups.map((e) => toIntegrationItem(e, `/proxy/${e.group.name}`)),
    )
  })
}
