// Group header rules (reference §1.6): `set` or `remove` one upstream header, applied after the
// key is injected so a rule can override or drop the auth header. Values may hold variables.
import type { HeaderRule } from '../store/types'

export interface CompiledHeaderRule {
  /** Lower-case, as every upstream header map in the gateway is. */
  name: string
  action: 'set' | 'remove'
  value: string
  /** Whether `value` holds `${…}`, so plain values skip the replace. */
  templated: boolean
}

export interface HeaderVars {
  clientIp: string
  now: number
  groupName: string
  apiKey: string
}

const VAR = /\$\{(CLIENT_IP|TIMESTAMP_MS|TIMESTAMP_S|GROUP_NAME|API_KEY)\}/g

/** Canonical, de-duplicated rules (the last rule for a name wins); null when there are none. */
export const compileHeaderRules = (
  rules: readonly HeaderRule[] | null | undefined,
): CompiledHeaderRule[] | null => {
  if (!rules?.length) return null
  const byName = new Map<string, CompiledHeaderRule>()
  for (const r of rules) {
    const name = r.key.trim().toLowerCase()
    if (!name) continue
    const value = r.action === 'set' ? r.value : ''
    byName.delete(name)
    byName.set(name, { name, action: r.action, value, templated: value.includes('${') })
  }
  return byName.size ? [...byName.values()] : null
}

export const expandVars = (value: string, v: HeaderVars): string =>
  value.replace(VAR, (_, name: string) => {
    switch (name) {
      case 'CLIENT_IP':
        return v.clientIp
      case 'TIMESTAMP_MS':
        return String(v.now)
      case 'TIMESTAMP_S':
        return String(Math.floor(v.now / 1000))
      case 'GROUP_NAME':
        return v.groupName
      default:
        return v.apiKey
    }
  })

/** Applies the rules to a lower-case header map in place. */
export const applyHeaderRules = (
  headers: Record<string, string>,
  rules: readonly CompiledHeaderRule[],
  vars: HeaderVars,
): void => {
  for (const r of rules) {
    // An absent header is the common case; deleting it anyway is a runtime call in V8.
    if (r.action === 'remove') {
      if (r.name in headers) delete headers[r.name]
    } else headers[r.name] = r.templated ? expandVars(r.value, vars) : r.value
  }
}
