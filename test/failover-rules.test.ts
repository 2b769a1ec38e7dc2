// Per-group failover rules through the real gateway (issue 11 §6): `failover` moves a matching
// error to another member, `return` hands it to the client with no retry, `key_fault` charges
// the key like a 401; and the admin API refuses malformed rules with a 400 that names them.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { OPENAI_BODIES } from './helpers/fake-errors'
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream'
import { ADMIN_KEY, startTestGateway, type TestGateway } from './helpers/gateway'
import { eventually } from './helpers/wait'

let up: FakeUpstream
let t: TestGateway
let n = 0

const creds = () => up.requests.map((r) => r.credential)

const group = async (keys: string[], spec: Record<string, unknown> = {}) => {
  const name = `fr${++n}`
  const id = await t.createGroup({ name, upstreams: [{ url: up.url, weight: 1 }], ...spec }, keys)
  return { name, id }
}

const aggregate = async (
  members: Array<[number, number, number]>,
  spec: Record<string, unknown> = {},
) => {
  const name = `fragg${++n}`
  const id = await t.createGroup({ name, group_type: 'aggregate', ...spec })
  const sub_groups = members.map(([group_id, weight, priority]) => ({ group_id, weight, priority }))
  expect((await t.admin('POST', `/api/groups/${id}/sub-groups`, { sub_groups })).status).toBe(200)
  return { name, id }
}

const CONTEXT = { status: 400, body: OPENAI_BODIES.context_length_exceeded }
const POLICY = { status: 400, body: OPENAI_BODIES.content_policy_violation }
const QUOTA = { status: 429, body: OPENAI_BODIES.insufficient_quota }

beforeAll(async () => {
  up = await startFakeUpstream({
    behaviours: {
      'sk-ctx-1': CONTEXT,
      'sk-ctx-2': CONTEXT,
      'sk-ctx-3': CONTEXT,
      'sk-pol-1': POLICY,
      'sk-pol-2': POLICY,
      'sk-quota': QUOTA,
      'sk-quota-2': QUOTA,
      // Google's answer where the Gemini API is not offered, and Anthropic's over-long prompt.
      'sk-gem-loc': {
        status: 400,
        body: {
          error: {
            code: 400,
            message: 'User location is not supported for the API use.',
            status: 'FAILED_PRECONDITION',
          },
        },
      },
      'sk-ant-long': {
        status: 400,
        body: {
          type: 'error',
          error: {
            type: 'invalid_request_error',
            message: 'prompt is too long: 208310 tokens > 200000 maximum',
          },
        },
      },
    },
  })
  t = await startTestGateway()
  await t.admin('PUT', '/api/settings', { request_log_write_interval_minutes: 0 })
})

afterAll(async () => {
  await t?.stop()
  await up?.close()
})

beforeEach(() => {
  up.requests.length = 0
})

describe('failover rules: actions', () => {
  it('failover: context_length_exceeded moves to another member, not another key', async () => {
    const short = await group(['sk-ctx-1', 'sk-ctx-2'])
    const long = await group(['sk-long-ok'])
    const rules = [{ status: 400, code: 'context_length_exceeded', action: 'failover' }]
    const agg = await aggregate(
      [
        [short.id, 1, 1],
        [long.id, 1, 0],
      ],
      { failover_rules: rules },
    )
    expect((await t.chat(agg.name)).status).toBe(200)
    const seen = creds()
    expect(seen).toHaveLength(2)
    expect(seen[0]).toMatch(/^sk-ctx-/)
    expect(seen[1]).toBe('sk-long-ok')

    // Without the rule the 400 is the client's: handed back as is after one attempt.
    up.requests.length = 0
    const plain = await aggregate([
      [short.id, 1, 1],
      [long.id, 1, 0],
    ])
    const res = await t.chat(plain.name)
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual(OPENAI_BODIES.context_length_exceeded)
    expect(creds()).toHaveLength(1)
  })

  it("a member's own rules apply inside an aggregate, and a message regex matches", async () => {
    const rules = [
      { status: '400-499', message_regex: 'maximum context length', action: 'failover' },
    ]
    const short = await group(['sk-ctx-3'], { failover_rules: rules })
    const long = await group(['sk-long-ok2'])
    const agg = await aggregate([
      [short.id, 1, 1],
      [long.id, 1, 0],
    ])
    expect((await t.chat(agg.name)).status).toBe(200)
    expect(creds()).toEqual(['sk-ctx-3', 'sk-long-ok2'])
  })

  it("matches Gemini's error.status and Anthropic's error.type with a message", async () => {
    const gem = await group(['sk-gem-loc', 'sk-gem-ok'], {
      channel_type: 'gemini',
      test_model: 'gemini-2.0-flash',
      failover_rules: [{ status: 400, code: 'failed_precondition', action: 'failover' }],
    })
    const ant = await group(['sk-ant-long', 'sk-ant-ok'], {
      channel_type: 'anthropic',
      test_model: 'claude-3-5-haiku-latest',
      failover_rules: [
        {
          status: 400,
          code: 'invalid_request_error',
          message: 'PROMPT IS TOO LONG',
          action: 'failover',
        },
      ],
    })
    const gemini = () =>
      fetch(`${t.url}/proxy/${gem.name}/v1beta/models/gemini-2.0-flash:generateContent`, {
        method: 'POST',
        headers: { 'x-goog-api-key': ADMIN_KEY, 'content-type': 'application/json' },
        body: JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] }),
      })
    const anthropic = () =>
      fetch(`${t.url}/proxy/${ant.name}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'claude-3-5-haiku-latest',
          max_tokens: 10,
          messages: [{ role: 'user', content: 'hi' }],
        }),
      })
    // Keys rotate, so two requests meet the failing key; each time the other key answers.
    for (const [send, bad, good] of [
      [gemini, 'sk-gem-loc', 'sk-gem-ok'],
      [anthropic, 'sk-ant-long', 'sk-ant-ok'],
    ] as const) {
      up.requests.length = 0
      expect((await send()).status).toBe(200)
      expect((await send()).status).toBe(200)
      expect(creds()).toContain(bad)
      for (let i = 0; i < creds().length; i++) {
        if (creds()[i] === bad) expect(creds()[i + 1]).toBe(good)
      }
    }
  })

  it('return: content_policy_violation goes to the client as is, with no retry', async () => {
    // 400 would fail over here; the rule hands this one back.
    const rules = [{ status: 400, code: 'content_policy_violation', action: 'return' }]
    const g = await group(['sk-pol-1', 'sk-pol-2'], {
      config: { failover_status_codes: '400,429,500-599' },
      failover_rules: rules,
    })
    const res = await t.chat(g.name)
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual(OPENAI_BODIES.content_policy_violation)
    expect(creds()).toHaveLength(1)

    // The same group without the rule retries it on the other key.
    up.requests.length = 0
    expect((await t.admin('PUT', `/api/groups/${g.id}`, { failover_rules: [] })).status).toBe(200)
    expect((await t.chat(g.name)).status).toBe(400)
    expect(new Set(creds())).toEqual(new Set(['sk-pol-1', 'sk-pol-2']))
  })

  it('key_fault: insufficient_quota counts towards the blacklist like a 401', async () => {
    const rules = [{ status: 429, code: 'insufficient_quota', action: 'key_fault' }]
    const g = await group(['sk-quota'], {
      config: { blacklist_threshold: 2, max_retries: 0 },
      failover_rules: rules,
    })
    expect((await t.chat(g.name)).status).toBe(429)
    await eventually(async () => {
      expect((await t.keysOf(g.id))['sk-quota']).toMatchObject({
        status: 'active',
        failure_count: 1,
      })
    })
    // Not cooled as a rate limit would be: the second request reaches the upstream again.
    expect((await t.chat(g.name)).status).toBe(429)
    expect(creds()).toEqual(['sk-quota', 'sk-quota'])
    await eventually(async () => {
      expect((await t.keysOf(g.id))['sk-quota']?.status).toBe('invalid')
    })
    const res = await t.chat(g.name)
    expect(res.status).toBe(503)
    expect(await res.json()).toMatchObject({ error: { code: 'NO_KEYS_AVAILABLE' } })

    // Without the rule the same error is a rate limit: the key cools and stays active.
    up.requests.length = 0
    const plain = await group(['sk-quota-2'], {
      config: { blacklist_threshold: 1, max_retries: 0 },
    })
    expect((await t.chat(plain.name)).status).toBe(429)
    expect((await t.chat(plain.name)).status).toBe(429)
    // (The blacklisted key's re-validation may reach the upstream meanwhile.)
    expect(creds().filter((c) => c === 'sk-quota-2')).toEqual(['sk-quota-2'])
    expect((await t.keysOf(plain.id))['sk-quota-2']?.status).toBe('active')
  })
})

describe('failover rules: admin', () => {
  it('round-trips the rules on create and update', async () => {
    const rules = [
      { status: '500-599', action: 'failover' },
      { status: 400, code: 'content_policy_violation', message: 'safety', action: 'return' },
      { status: 429, message_regex: '(?:quota|credit).{0,40}exceeded', action: 'key_fault' },
    ]
    const g = await group([], { failover_rules: rules })
    type G = { id: number; failover_rules: unknown }
    const get = async () =>
      (await t.admin<{ data: G[] }>('GET', '/api/groups')).body.data.find((x) => x.id === g.id)
        ?.failover_rules
    expect(await get()).toEqual(rules)
    expect((await t.admin('PUT', `/api/groups/${g.id}`, { failover_rules: [] })).status).toBe(200)
    expect(await get()).toEqual([])
  })

  it('refuses malformed rules with a 400 naming the rule, and changes nothing', async () => {
    const kept = [{ status: 429, action: 'return' }]
    const g = await group([], { failover_rules: kept })
    const cases: Array<[unknown, string]> = [
      ['nope', 'failover_rules: must be an array'],
      [
        [{ status: 'abc', action: 'return' }],
        "failover_rules.0.status: must be an error status (400-999) or a range such as '500-599'",
      ],
      [
        [{ status: 1000, action: 'return' }],
        "failover_rules.0.status: must be an error status (400-999) or a range such as '500-599'",
      ],
      [
        [{ status: 200, action: 'failover' }],
        "failover_rules.0.status: must be an error status (400-999) or a range such as '500-599'",
      ],
      [
        [{ status: '599-500', action: 'return' }],
        "failover_rules.0.status: must be an error status (400-999) or a range such as '500-599'",
      ],
      [
        [{ status: 400, action: 'retry' }],
        "failover_rules.0.action: must be 'failover', 'return' or 'key_fault'",
      ],
      [[{ status: 400 }], "failover_rules.0.action: must be 'failover', 'return' or 'key_fault'"],
      [
        [{ status: 400, action: 'return', when: 'x' }],
        'failover_rules.0: has an unknown field when (allowed: status, code, message, message_regex, action)',
      ],
      [
        [{ status: 400, action: 'return', message_regex: '(' }],
        'failover_rules.0.message_regex: is not a valid regular expression',
      ],
      [
        [{ status: 400, action: 'return', message_regex: '(a+)+$' }],
        'failover_rules.0.message_regex: must not repeat a group that holds a repetition or an alternative, e.g. (a+)+',
      ],
      [
        [{ status: 400, action: 'return', message_regex: '(quota|credit)*$' }],
        'failover_rules.0.message_regex: must not repeat a group that holds a repetition or an alternative, e.g. (a+)+',
      ],
      [
        [{ status: 400, action: 'return', message_regex: '(a)\\1' }],
        'failover_rules.0.message_regex: must not use backreferences',
      ],
      [
        [{ status: 400, action: 'return', message: 'x'.repeat(201) }],
        'failover_rules.0.message: must be at most 200 characters',
      ],
      [[{ status: 400, action: 'return', code: '' }], 'failover_rules.0.code: must not be empty'],
      [
        Array(51).fill({ status: 400, action: 'return' }),
        'failover_rules: must have at most 50 rules',
      ],
    ]
    for (const [failover_rules, message] of cases) {
      const r = await t.admin<{ message: string }>('PUT', `/api/groups/${g.id}`, { failover_rules })
      expect(r.status, message).toBe(400)
      expect(r.body.message).toBe(message)
    }
    const create = await t.admin<{ message: string }>('POST', '/api/groups', {
      name: `fr${++n}`,
      channel_type: 'openai',
      upstreams: [{ url: up.url, weight: 1 }],
      failover_rules: [{ status: 400, action: 'nope' }],
    })
    expect(create.status).toBe(400)
    type G = { id: number; failover_rules: unknown }
    const groups = (await t.admin<{ data: G[] }>('GET', '/api/groups')).body.data
    expect(groups.find((x) => x.id === g.id)?.failover_rules).toEqual(kept)
    expect(groups).toHaveLength(n - 1)
  })
})
