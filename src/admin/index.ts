// The admin API, mounted at /api: body limit, then login (public), then admin auth for the rest.
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { Core } from '../core'
import { AppError } from '../errors'
import { adminAuth } from './auth'
import { createGroupRoutes } from './groups'
import { createKeyRoutes } from './keys'
import { createLogRoutes } from './logs'
import { createLoginRoute, createMiscRoutes } from './misc'
import { createSettingsRoutes } from './settings'

export const createAdminRoutes = (core: Core): Hono => {
  const { maxBodyBytes, authKey } = core.deps.config
  const api = new Hono()
  api.use(
    '*',
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: () => {
        throw new AppError(413, 'PAYLOAD_TOO_LARGE', `Request body exceeds ${maxBodyBytes} bytes`)
      },
    }),
  )
  // Hono runs handlers in registration order: login answers before the auth middleware is reached.
  api.route('/', createLoginRoute(core))
  api.use('*', adminAuth(authKey))
  api.route('/groups', createGroupRoutes(core))
  api.route('/keys', createKeyRoutes(core))
  api.route('/settings', createSettingsRoutes(core))
  api.route('/logs', createLogRoutes(core))
  api.route('/', createMiscRoutes())
  return api
}
