// The admin API, mounted at /api: security headers, body limit, then login and integration info (public), then admin
// auth for the rest.
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { Core } from '../core'
import { AppError } from '../errors'
import { API_HEADERS, securityHeaders } from '../http/security-headers'
import { adminAuth } from './auth'
import { createDashboardRoutes } from './dashboard'
import { createGroupRoutes } from './groups'
import { createGroupExtraRoutes } from './groups-extra'
import { createIntegrationRoute } from './integration'
import { createKeyTaskRoutes, getTaskStatus } from './key-tasks'
import { createKeyRoutes } from './keys'
import { createKeyTestExportRoutes } from './keys-test-export'
import { exportLogs } from './logs-export'
import { createLogRoutes } from './logs'
import { createLoginRoute, createMiscRoutes } from './misc'
import { createSettingsRoutes } from './settings'
import { createSubGroupRoutes } from './subgroups'

export const createAdminRoutes = (core: Core): Hono => {
  const { maxBodyBytes } = core.deps.config
  const api = new Hono()
  // First, so every answer carries them: 401s, 413s and errors too.
  api.use('*', securityHeaders(API_HEADERS))
  api.use(
    '*',
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: () => {
        throw new AppError(413, 'PAYLOAD_TOO_LARGE', `Request body exceeds ${maxBodyBytes} bytes`)
      },
    }),
  )
  // Hono runs handlers in registration order: the public routes answer before the auth middleware.
  api.route('/', createLoginRoute(core))
  api.route('/', createIntegrationRoute(core))
  api.use('*', adminAuth(core))
  // Before the CRUD routes, so `PUT /groups/reorder` is not taken for `PUT /groups/:id`.
  api.route('/groups', createGroupExtraRoutes(core))
  api.route('/groups', createGroupRoutes(core))
  api.route('/groups', createSubGroupRoutes(core))
  // A key write changes what other nodes' local pools must hold: they follow the config version.
  api.on(['POST', 'PUT', 'DELETE'], '/keys/*', async (c, next) => {
    await next()
    if (c.res.status < 300) await core.configChanged()
  })
  api.route('/keys', createKeyRoutes(core))
  api.route('/keys', createKeyTaskRoutes(core))
  api.route('/keys', createKeyTestExportRoutes(core))
  api.get('/tasks/status', getTaskStatus(core))
  api.route('/settings', createSettingsRoutes(core))
  api.get('/logs/export', exportLogs(core))
  api.route('/logs', createLogRoutes(core))
  api.route('/dashboard', createDashboardRoutes(core))
  api.route('/', createMiscRoutes())
  return api
}
