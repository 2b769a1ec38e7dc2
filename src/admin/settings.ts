// System settings (reference §2.5, §5.1): read grouped by category; write all-or-nothing, with
// validation errors as 400 naming the key (v1 answers 500 DATABASE_ERROR).
import { Hono } from 'hono'
import { z } from 'zod'
import type { Core } from '../core'
import { badRequest } from '../errors'
import type { Deps } from '../deps'
import {
  SETTING_BY_KEY,
  SETTING_DEFS,
  checkSetting,
  runtimeDefaults,
  toSettings,
  toStoredValue,
  type Settings,
} from '../config/settings'
import { ok } from './respond'
import { readJson } from './validate'

const CATEGORIES = ['Basic', 'Request', 'Key'] as const

/** The system settings as stored: admin reads go to the store, not to this node's cache. */
export const readSystemSettings = async (deps: Pick<Deps, 'store' | 'appUrl'>): Promise<Settings> =>
  toSettings(await deps.store.getSettings(), runtimeDefaults(deps.appUrl))

const valueOf = (s: Settings, key: string) => (s as unknown as Record<string, unknown>)[key]

export const toSettingCategories = (s: Settings, defaults: Partial<Settings> = {}) =>
  CATEGORIES.map((category_name) => ({
    category_name,
    settings: SETTING_DEFS.filter((d) => d.category === category_name).map((d) => ({
      key: d.key,
      name: d.name,
      value: valueOf(s, d.key),
      type: d.type,
      default_value: String(valueOf(defaults as Settings, d.key) ?? d.default),
      description: d.description,
      category: d.category,
      ...(d.min !== undefined ? { min_value: d.min } : {}),
      ...(d.max !== undefined ? { max_value: d.max } : {}),
      required: d.required ?? false,
    })),
  }))

/** For the group form: the overridable settings with the current system value as default. */
export const toConfigOptions = (s: Settings) =>
  SETTING_DEFS.filter((d) => d.groupOverridable).map((d) => ({
    key: d.key,
    name: d.name,
    description: d.description,
    default_value: valueOf(s, d.key),
    ...(d.min !== undefined ? { min_value: d.min } : {}),
    ...(d.max !== undefined ? { max_value: d.max } : {}),
  }))

const settingsBody = z.record(z.string(), z.unknown())

export const createSettingsRoutes = (core: Core): Hono => {
  const { store } = core.deps
  const app = new Hono()

  app.get('/', async (c) => {
    const s = await readSystemSettings(core.deps)
    return ok(c, toSettingCategories(s, runtimeDefaults(core.deps.appUrl)))
  })

  app.put('/', async (c) => {
    const body = await readJson(c, settingsBody)
    // Check every key before writing any, so a bad request changes nothing.
    const errors: string[] = []
    const values: Record<string, string> = {}
    for (const [key, value] of Object.entries(body)) {
      const def = SETTING_BY_KEY.get(key)
      if (!def) {
        errors.push(`${key}: is not a setting`)
        continue
      }
      const r = checkSetting(def, value)
      if (r.ok) values[key] = toStoredValue(r.value)
      else errors.push(r.message)
    }
    if (errors.length > 0) throw badRequest(errors.join('; '))
    if (Object.keys(values).length > 0) {
      await store.putSettings(values)
      await core.configChanged()
    }
    return ok(c, undefined, 'Settings updated')
  })

  return app
}
