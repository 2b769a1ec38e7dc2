// Input the admin API refuses with 400 and nothing written (issue 9 item 3): header rules that
// would break the upstream request, unusable upstream keys (named by line, masked), upstream URLs
// with line breaks or credentials; on create, update, copy and every key import. Also item 4:
// JSON bodies are read whatever their content-type, as v1 reads them.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from './helpers/app'
import { eventually } from './helpers/wait'

let t: TestApp
let groupId: number
const UP = 'http://127.0.0.1:9/'

beforeEach(async () => {
  t = await createTestApp()
  const res = await t.api('POST', '/api/groups', {
    name: 'main',
    channel_type: 'openai',
    upstreams: [{ url: UP, weight: 1 }],
  })
  groupId = (await res.json()).data.id
})
afterEach(async () => {
  await t.close()
})

const call = async (method: string, path: string, body?: unknown) => {
  const res = await t.api(method, path, body)
  return { status: res.status, body: (await res.json()) as { code?: string; message?: string } }
}
const groupNames = async () => (await t.deps.store.listGroups()).map((g) => g.name).sort()
const keyCount = async () => (await t.deps.store.countKeys(groupId)).total
/** Stores keys as a release without the checks did, past the KeyService. */
const storeUnchecked = async (keys: string[]) => {
  const { store } = t.core.deps
  const rows = await Promise.all(
    keys.map(async (key_value) => ({ key_value, key_hash: await t.core.secrets.hash(key_value) })),
  )
  await t.core.deps.pool.add(groupId, await store.addKeys(groupId, rows))
}
const newGroup = (extra: Record<string, unknown>) =>
  call('POST', '/api/groups', {
    name: 'other',
    channel_type: 'openai',
    upstreams: [{ url: UP, weight: 1 }],
    ...extra,
  })

describe('header rules', () => {
  const bad: [string, { key: string; value: string; action: string }, RegExp][] = [
    ['a CR LF in the value', { key: 'X-A', value: 'v\r\nX-Evil: 1', action: 'set' }, /CR, LF/],
    ['a LF in the value', { key: 'X-A', value: 'v\nx', action: 'set' }, /CR, LF/],
    ['a NUL in the value', { key: 'X-A', value: 'v\u0000', action: 'set' }, /NUL/],
    ['a character above U+00FF', { key: 'X-A', value: 'go 🚀', action: 'set' }, /U\+00FF/],
    ['a space in the name', { key: 'X A', value: 'v', action: 'set' }, /HTTP token/],
    ['a line break after the name', { key: 'X-A\r\n', value: 'v', action: 'set' }, /HTTP token/],
    ['a colon in the name', { key: 'X-A:', value: 'v', action: 'set' }, /HTTP token/],
    ['a non-ASCII name', { key: 'X-É', value: 'v', action: 'set' }, /HTTP token/],
  ]

  it.each(bad)('refuses %s on create and update, writing nothing', async (_, rule, message) => {
    const created = await newGroup({ header_rules: [rule] })
    expect(created.status).toBe(400)
    expect(created.body.message).toMatch(/^header_rules\.0\.(key|value): /)
    expect(created.body.message).toMatch(message)
    expect(await groupNames()).toEqual(['main'])

    const updated = await call('PUT', `/api/groups/${groupId}`, { header_rules: [rule] })
    expect(updated.status).toBe(400)
    expect((await t.deps.store.getGroup(groupId))!.header_rules).toEqual([])
  })

  it('keeps accepting tokens, spaces and tabs around a name, and Latin-1 values', async () => {
    const res = await newGroup({
      header_rules: [
        { key: ' X-Team\t', value: 'café\tbar ${CLIENT_IP}', action: 'set' },
        { key: "x-!#$%&'*+.^_`|~", value: '', action: 'remove' },
      ],
    })
    expect(res.status).toBe(200)
    expect((res.body as { data: { header_rules: unknown } }).data.header_rules).toEqual([
      { key: 'X-Team', value: 'café\tbar ${CLIENT_IP}', action: 'set' },
      { key: "x-!#$%&'*+.^_`|~", value: '', action: 'remove' },
    ])
  })

  it('refuses to copy a group whose stored rules are bad', async () => {
    // A row written before the check existed.
    await t.deps.store.updateGroup(groupId, {
      header_rules: [{ key: 'X-A', value: 'v\r\nX-Evil: 1', action: 'set' }],
    })
    const copy = await call('POST', `/api/groups/${groupId}/copy`, { copy_keys: 'none' })
    expect(copy.status).toBe(400)
    expect(copy.body.message).toMatch(/^group 'main': header_rules\.0\.value: .*CR, LF/)
    expect(await groupNames()).toEqual(['main'])
  })
})

describe('upstream URLs', () => {
  const bad: [string, string, RegExp][] = [
    ['user:pass@', 'http://user:pass@127.0.0.1:9/v1', /user:password@/],
    ['a user name alone', 'https://sk-secret@api.example.com', /user:password@/],
    ['a CR LF inside', 'http://127.0.0.1:9/a\r\nb', /control characters/],
    ['a tab inside', 'http://127.0.0.1:9/\tv1', /control characters/],
    ['a space inside', 'http://127.0.0.1:9/a b', /spaces/],
    ['a NUL', 'http://127.0.0.1:9/\u0000', /control characters/],
  ]

  it.each(bad)('refuses %s on create and update, writing nothing', async (_, url, message) => {
    const created = await newGroup({ upstreams: [{ url, weight: 1 }] })
    expect(created.status).toBe(400)
    expect(created.body.message).toMatch(/^upstreams\.0\.url: /)
    expect(created.body.message).toMatch(message)
    expect(await groupNames()).toEqual(['main'])

    const updated = await call('PUT', `/api/groups/${groupId}`, { upstreams: [{ url, weight: 1 }] })
    expect(updated.status).toBe(400)
    expect((await t.deps.store.getGroup(groupId))!.upstreams).toEqual([{ url: UP, weight: 1 }])
  })

  it('refuses line breaks in the validation endpoint', async () => {
    const res = await newGroup({ validation_endpoint: '/v1/chat\r\n/completions' })
    expect(res.status).toBe(400)
    expect(res.body.message).toMatch(/^validation_endpoint: /)
  })

  it('still trims a pasted URL', async () => {
    const res = await newGroup({ upstreams: [{ url: ' https://api.example.com/v1\n', weight: 1 }] })
    expect(res.status).toBe(200)
  })

  it('refuses to copy a group whose stored URL holds credentials', async () => {
    await t.deps.store.updateGroup(groupId, {
      upstreams: [{ url: 'http://user:pass@127.0.0.1:9/', weight: 1 }],
    })
    const copy = await call('POST', `/api/groups/${groupId}/copy`, { copy_keys: 'none' })
    expect(copy.status).toBe(400)
    expect(copy.body.message).toMatch(/^group 'main': upstreams\.0\.url: .*user:password@/)
    expect(await groupNames()).toEqual(['main'])
  })
})

describe('upstream keys', () => {
  const EVIL = 'sk-a\r\nX-Evil: 1'
  // keys_text, where the message points, and what it says.
  const bad: [string, string, RegExp][] = [
    [
      'a CR LF inside (JSON list)',
      JSON.stringify(['sk-good-1', EVIL]),
      /entry 2: .*a line break \(U\+000D\)/,
    ],
    ['a space inside (JSON list)', JSON.stringify(['sk a']), /entry 1: .*whitespace/],
    ['a tab inside (JSON list)', JSON.stringify(['sk-\tb']), /entry 1: .*whitespace/],
    ['a non-ASCII character', 'sk-good-1\nsk-good-2\nsk-café-3', /line 3: .*non-ASCII/],
    ['an emoji', 'sk-good-1, sk-🚀-key', /line 1: .*non-ASCII.*U\+1F680/],
    ['a control character', 'sk-good-1\r\nsk-good-2;sk-\u0001x-3', /line 2: .*control.*U\+0001/],
    ['a DEL', 'sk-\u007fx-1234', /line 1: .*control.*U\+007F/],
    ['a no-break space inside', JSON.stringify(['sk-\u00a0x']), /entry 1: .*whitespace/],
  ]

  const addAsyncFile = (text: string, name = 'keys.txt') => {
    const form = new FormData()
    form.set('group_id', String(groupId))
    form.set('file', new File([text], name))
    return t.app.request('/api/keys/add-async', {
      method: 'POST',
      headers: { authorization: `Bearer ${t.authKey}` },
      body: form,
    })
  }

  it.each(bad)('refuses %s on every import route, writing nothing', async (_, text, message) => {
    for (const path of ['/api/keys/add-multiple', '/api/keys/add-async']) {
      const res = await call('POST', path, { group_id: groupId, keys_text: text })
      expect(res.status, path).toBe(400)
      expect(res.body.message).toMatch(/^keys_text: /)
      expect(res.body.message).toMatch(message)
      expect(res.body.message).toMatch(/printable ASCII without spaces/)
    }
    const upload = await addAsyncFile(text)
    expect(upload.status).toBe(400)
    expect(((await upload.json()) as { message: string }).message).toMatch(message)
    expect(await keyCount()).toBe(0)
    expect((await (await t.api('GET', '/api/tasks/status')).json()).data.task_type).toBe('')
  })

  it('names the bad key only masked, with its control characters escaped', async () => {
    const res = await call('POST', '/api/keys/add-multiple', {
      group_id: groupId,
      keys_text: JSON.stringify(['sk-live-0123456789\r\nX-Evil: 1']),
    })
    expect(res.status).toBe(400)
    expect(res.body.message).toContain('sk-l…l: 1')
    expect(res.body.message).not.toContain('0123456789')
    expect(res.body.message).not.toMatch(/[\r\n]/)
  })

  it('still accepts a UTF-8 BOM, blank lines and separators around good keys', async () => {
    const upload = await addAsyncFile('\ufeffsk-good-1\r\n\r\n sk-good-2 ,sk-good-3;\n')
    expect(upload.status).toBe(200)
    await eventually(async () => expect(await keyCount()).toBe(3))
  })

  it('still deletes a stored bad key by value', async () => {
    await storeUnchecked([EVIL])
    const res = await call('POST', '/api/keys/delete-multiple', {
      group_id: groupId,
      keys_text: JSON.stringify([EVIL]),
    })
    expect(res.status).toBe(200)
    expect(await keyCount()).toBe(0)
  })

  it('refuses a bad key from any other caller of the key service', async () => {
    await expect(t.core.keys.add(groupId, ['sk-good-1', EVIL])).rejects.toThrow(
      /^keys: key sk-a…l: 1 contains a line break/,
    )
    expect(await keyCount()).toBe(0)
  })

  it('refuses to copy a group holding a stored bad key, naming it masked', async () => {
    await storeUnchecked(['sk-good-1', 'sk-bad-0123456789\u0001xyz'])
    const copy = await call('POST', `/api/groups/${groupId}/copy`, { copy_keys: 'all' })
    expect(copy.status).toBe(400)
    expect(copy.body.message).toMatch(/^key \d+ \(sk-b…\\u\{0001\}xyz\) contains a control/)
    expect(await groupNames()).toEqual(['main'])
    // Without keys the copy has nothing bad to carry over.
    expect((await call('POST', `/api/groups/${groupId}/copy`, { copy_keys: 'none' })).status).toBe(
      200,
    )
  })
})

describe('JSON bodies without content-type: application/json (item 4)', () => {
  const send = (method: string, path: string, body: unknown, contentType?: string) =>
    t.app.request(path, {
      method,
      headers: {
        authorization: `Bearer ${t.authKey}`,
        ...(contentType ? { 'content-type': contentType } : {}),
      },
      body: JSON.stringify(body),
    })

  it.each([['application/x-www-form-urlencoded'], ['text/plain'], [undefined]])(
    'reads them as JSON with content-type %s',
    async (type) => {
      const login = await send('POST', '/api/auth/login', { auth_key: t.authKey }, type)
      expect(login.status).toBe(200)
      const created = await send(
        'POST',
        '/api/groups',
        { name: 'curl', channel_type: 'openai', upstreams: [{ url: UP, weight: 1 }] },
        type,
      )
      expect(created.status).toBe(200)
      const id = ((await created.json()) as { data: { id: number } }).data.id
      const updated = await send('PUT', `/api/groups/${id}`, { description: 'from curl' }, type)
      expect(updated.status).toBe(200)
      const added = await send(
        'POST',
        '/api/keys/add-multiple',
        { group_id: id, keys_text: 'sk-curl-1 sk-curl-2' },
        type,
      )
      expect(added.status).toBe(200)
      const settings = await send('PUT', '/api/settings', { max_retries: 2 }, type)
      expect(settings.status).toBe(200)
      expect((await t.deps.store.getGroup(id))!.description).toBe('from curl')
      expect((await t.deps.store.countKeys(id)).total).toBe(2)
    },
  )
})
