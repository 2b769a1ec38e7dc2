// GET /api/integration/info?key=<proxy key> (reference §2.2): public, so it is mounted before
// the admin auth middleware. Its oracle risk (§8.3 #4) is that of any proxy request.
import { Hono } from 'hono'
import type { Core } from '../core'
import { reachableGroups, toIntegrationItem } from '../integration'
import { ok } from './respond'

export const createIntegrationRoute = (core: Core): Hono =>
  new Hono().get('/integration/info', (c) => {
    const groups = reachableGroups(core.cache, c.req.query('key'))
    return ok(
      c,
      groups.map((e) => toIntegrationItem(e, `/proxy/${e.group.name}`)),
    )
  })
