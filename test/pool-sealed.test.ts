// With ENCRYPTION_KEY set, the key pool holds only sealed values and hashes, log rows carry the
// key's hash and masked form from the moment they are buffered, and a key this node cannot open
// leaves rotation instead of going upstream.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { maskKey } from '../src/secrets/crypto'
import { createKeySecrets, isSealed } from '../src/secrets/seal'
import type { RequestLog } from '../src/store/types'
import { createTestApp, TEST_AUTH_KEY, type TestApp } from './helpers/app'
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream'

const KEYS = ['sk-sealed-pool-aaaa1111', 'sk-sealed-pool-bbbb2222']
let up: FakeUpstream
let t: TestApp
let gid: number

beforeAll(async () => {
  up = await startFakeUpstream()
  t = await createTestApp({ config: { encryptionKey: 'pool-sealed-test-Qa1@Ws2#Ed3$Rf4%' } })
  const g = await t.api('POST', '/api/groups', {
    name: 'sealed',
    channel_type: 'openai',
    upstreams: [{ url: up.url, weight: 1 }],
  })
  gid = ((await g.json()) as { data: { id: number } }).data.id
  await t.api('POST', '/api/keys/add-multiple', { group_id: gid, keys_text: KEYS.join('\n') })
})
afterAll(async () => {
  await t.close()
  await up.close()
})

const chat = () =>
  t.app.request('/proxy/sealed/v1/chat/completions', {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_AUTH_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', messages: [] }),
  })

describe('a pool under ENCRYPTION_KEY', () => {
  it('holds sealed values and hashes, never a plaintext key', async () => {
    const hashes = await Promise.all(KEYS.map(t.core.secrets.hash))
    for (let i = 0; i < 4; i++) {
      const p = await t.deps.pool.pick(gid, Date.now())
      expect(p).not.toBeNull()
      expect(isSealed(p!.stored)).toBe(true)
      for (const k of KEYS) expect(JSON.stringify(p)).not.toContain(k)
      expect(hashes).toContain(p!.hash)
    }
  })

  it('sends the opened key upstream and buffers log rows with hash and mask only', async () => {
    const pushed: RequestLog[] = []
    const push = t.core.logs.push
    t.core.logs.push = (row) => {
      pushed.push(structuredClone(row))
      push(row)
    }
    try {
      for (let i = 0; i < 4; i++) expect((await chat()).status).toBe(200)
    } finally {
      t.core.logs.push = push
    }
    const used = up.requests.slice(-4).map((r) => r.credential)
    expect(new Set(used)).toEqual(new Set(KEYS))
    expect(pushed).toHaveLength(4)
    for (const [i, row] of pushed.entries()) {
      expect(row.key_hash).toBe(await t.core.secrets.hash(used[i]!))
      expect(row.key_masked).toBe(maskKey(used[i]!))
      for (const k of KEYS) expect(JSON.stringify(row)).not.toContain(k)
      expect(Object.keys(row)).not.toContain('key')
    }
  })

  it('takes a key it cannot open out of rotation; its ciphertext never goes upstream', async () => {
    // A key sealed under another ENCRYPTION_KEY, as a node with the wrong key would see it.
    const other = createKeySecrets('some-other-key-Zx9!Cv8@Bn7#Mm6$', async () => 'c2FsdA')
    const foreign = await other.seal('sk-foreign-cccc3333')
    const rows = await t.deps.store.addKeys(gid, [{ key_value: foreign, key_hash: 'f'.repeat(64) }])
    await t.deps.pool.add(gid, rows)
    expect((await t.deps.pool.counts(gid, Date.now())).active).toBe(3)
    const before = up.requests.length
    for (let i = 0; i < 6; i++) expect((await chat()).status).toBe(200)
    const sent = up.requests.slice(before).map((r) => r.credential)
    expect(sent).toHaveLength(6)
    for (const c of sent) expect(KEYS).toContain(c)
    expect((await t.deps.pool.counts(gid, Date.now())).active).toBe(2)
    const said = t.logs.filter((l) => /cannot be decrypted/.test(l.msg))
    expect(said).toHaveLength(1)
    expect(said[0].extra).toMatchObject({ id: rows[0].id })
    expect(JSON.stringify(said)).not.toContain('sk-foreign')
  })
})
