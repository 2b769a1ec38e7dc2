// Header rules: canonical names, last rule wins, set/remove, variables, and overriding auth.
import { describe, expect, it } from 'vitest'
import { applyHeaderRules, compileHeaderRules, expandVars } from '../src/proxy/header-rules'

const vars = { clientIp: '10.0.0.9', now: 1_700_000_123_456, groupName: 'oa', apiKey: 'sk-up' }

describe('header rules', () => {
  it('compiles to null when there are no rules', () => {
    expect(compileHeaderRules([])).toBeNull()
    expect(compileHeaderRules(undefined)).toBeNull()
  })

  it('lower-cases names and keeps the last rule per name', () => {
    const rules = compileHeaderRules([
      { key: 'X-Team', value: 'a', action: 'set' },
      { key: 'x-team', value: 'b', action: 'set' },
      { key: 'X-Gone', value: 'ignored', action: 'remove' },
    ])
    expect(rules).toEqual([
      { name: 'x-team', action: 'set', value: 'b', templated: false },
      { name: 'x-gone', action: 'remove', value: '', templated: false },
    ])
  })

  it('expands every variable and leaves unknown ones', () => {
    expect(
      expandVars('${CLIENT_IP}|${TIMESTAMP_MS}|${TIMESTAMP_S}|${GROUP_NAME}|${API_KEY}|${X}', vars),
    ).toBe('10.0.0.9|1700000123456|1700000123|oa|sk-up|${X}')
  })

  it('sets, overrides auth, removes and adds forwarding headers', () => {
    const headers: Record<string, string> = {
      authorization: 'Bearer sk-up',
      'x-drop': '1',
      'content-type': 'application/json',
    }
    const rules = compileHeaderRules([
      { key: 'Authorization', value: 'Token ${API_KEY}', action: 'set' },
      { key: 'X-Drop', value: '', action: 'remove' },
      { key: 'X-Forwarded-For', value: '${CLIENT_IP}', action: 'set' },
      { key: 'X-Missing', value: '', action: 'remove' },
    ])!
    applyHeaderRules(headers, rules, vars)
    expect(headers).toEqual({
      authorization: 'Token sk-up',
      'content-type': 'application/json',
      'x-forwarded-for': '10.0.0.9',
    })
  })
})
