// Routes outside any one resource: login (its own `{success, message}` shape, reference §2.2)
// and the channel-type list.
import { Hono } from 'hono'
import { z } from 'zod'
import { CHANNEL_TYPES } from '../channels/index'
import type { Core } from '../core'
import { createAdminGuard, isAdminKey } from './auth'
import { ok } from './respond'
import { readJson } from './validate'

const loginBody = z.object({ auth_key: z.string().min(1, { error: 'is required' }) })

/** POST /auth/login: public, so it is mounted before the auth middleware. */
export const createLoginRoute = (core: Core): Hono => {
  const guard = createAdminGuard(core)
  return new Hono().post('/auth/login', async (c) => {
    const { auth_key } = await readJson(c, loginBody)
    const r = await guard(
      c,
      () => isAdminKey(auth_key, core.deps.config.authKey),
      (message) => ({ success: false, message }),
    )
    if (r instanceof Response) return r
    if (!r) return c.json({ success: false, message: 'Authentication failed' }, 401)
    return c.json({ success: true, message: 'Authentication successful' })
  })
}

export const createMiscRoutes = (): Hono =>
  new Hono().get('/channel-types', (c) => ok(c, [...CHANNEL_TYPES]))
