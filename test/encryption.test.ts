// Upstream keys encrypted at rest (ENCRYPTION_KEY): sealed in the database, plaintext to the
// upstream and to an explicit reveal, HMAC key hashes, and the encryption status.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { openSqlite } from '../adapters/node/db'
import { nodeHasher } from '../adapters/node/hasher'
import { hashKey } from '../src/secrets/crypto'
import { AppError } from '../src/errors'
import { createKeySecrets, isSealed } from '../src/secrets/seal'
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream'
import { startTestGateway, type TestGateway } from './helpers/gateway'

const ENC_KEY = 'Vx7#qL2!mZ9@wR4$tY6^pN8&kB3*hJ5%'
const salt = async () => 'c2FsdHNhbHRzYWx0c2FsdA'
const VECTOR = {
  pass: 'vector-passphrase-Qw3#Er5$Ty7',
  salt: 'c2FsdHNhbHRzYWx0c2FsdA',
  key: 'sk-vector-key-0001',
  hash: 'b97a18d353e10ef16501f15dd445d2e36bd22b48e813e46b92e35e13f7525416',
}

describe('key secrets', () => {
  it('seals with a fresh nonce and opens again; a wrong key cannot open', async () => {
    const s = createKeySecrets(ENC_KEY, salt)
    const a = await s.seal('sk-upstream-1')
    const b = await s.seal('sk-upstream-1')
    expect(isSealed(a)).toBe(true)
    expect(a).not.toBe(b)
    expect(a).not.toContain('sk-upstream-1')
    expect(await s.open(a)).toBe('sk-upstream-1')
    const wrong = createKeySecrets('another key entirely, also long', salt)
    const err = await wrong.open(a).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(AppError)
    expect((err as AppError).code).toBe('DECRYPTION_FAILED')
    expect(String((err as Error).message)).not.toContain(ENC_KEY)
    // Tampering with one character fails GCM's check.
    const flipped = a.slice(0, -2) + (a.at(-2) === 'A' ? 'B' : 'A') + a.at(-1)
    await expect(s.open(flipped)).rejects.toThrow(/does not match/)
  })

  it('hashes with an HMAC that depends on the key and the salt, not plain SHA-256', async () => {
    const s = createKeySecrets(ENC_KEY, salt)
    const h = await s.hash('sk-upstream-1')
    expect(h).toMatch(/^[0-9a-f]{64}$/)
    expect(h).toBe(await s.hash('sk-upstream-1'))
    expect(h).not.toBe(await hashKey('sk-upstream-1'))
    expect(h).not.toBe(
      await createKeySecrets('another key entirely, also long', salt).hash('sk-upstream-1'),
    )
    expect(h).not.toBe(
      await createKeySecrets(ENC_KEY, async () => 'b3RoZXJzYWx0b3RoZXJzYQ').hash('sk-upstream-1'),
    )
  })

  it('hashes the same through the Node hasher as through WebCrypto, to a fixed vector', async () => {
    for (const pass of [undefined, ENC_KEY]) {
      const web = createKeySecrets(pass, salt)
      const node = createKeySecrets(pass, salt, nodeHasher)
      for (const k of ['sk-1', 'AIzaSy-abc_DEF', 'ключ-ü-鍵']) {
        expect(await node.hash(k)).toBe(await web.hash(k))
      }
    }
    // The same vector is checked inside workerd (test/workers/secrets.test.ts): Node and Workers
    // nodes sharing one database must hash alike.
    const v = createKeySecrets(VECTOR.pass, async () => VECTOR.salt, nodeHasher)
    expect(await v.hash(VECTOR.key)).toBe(VECTOR.hash)
  })

  it('without ENCRYPTION_KEY stores plaintext and refuses sealed values', async () => {
    const plain = createKeySecrets(undefined, salt)
    expect(await plain.seal('k')).toBe('k')
    expect(await plain.hash('k')).toBe(await hashKey('k'))
    const sealed = await createKeySecrets(ENC_KEY, salt).seal('k')
    await expect(plain.open(sealed)).rejects.toThrow(/ENCRYPTION_KEY is not set/)
  })
})

describe('a gateway with ENCRYPTION_KEY', () => {
  let up: FakeUpstream
  let t: TestGateway
  let groupId: number
  const KEYS = ['sk-enc-aaaaaaaa1', 'sk-enc-bbbbbbbb2']

  beforeAll(async () => {
    up = await startFakeUpstream()
    t = await startTestGateway({ ENCRYPTION_KEY: ENC_KEY })
    groupId = await t.createGroup({ name: 'enc', upstreams: [{ url: up.url, weight: 1 }] }, KEYS)
  })
  afterAll(async () => {
    await t.stop()
    await up.close()
  })

  const rawRows = async () => {
    const db = await openSqlite(join(t.dir, 'edgeload.db'))
    try {
      return await db.store.scanKeys(0, 100)
    } finally {
      await db.close()
    }
  }

  it('stores keys sealed, with HMAC hashes', async () => {
    const rows = await rawRows()
    expect(rows).toHaveLength(2)
    for (const r of rows) {
      expect(isSealed(r.key_value)).toBe(true)
      for (const k of KEYS) expect(r.key_value).not.toContain(k)
    }
    const sha = await Promise.all(KEYS.map(hashKey))
    for (const r of rows) expect(sha).not.toContain(r.key_hash)
  })

  it('sends the plaintext key upstream and logs it searchable by value', async () => {
    const r = await t.chat('enc')
    expect(r.status).toBe(200)
    expect(KEYS).toContain(up.requests.at(-1)?.credential)
    const used = up.requests.at(-1)!.credential!
    await t.gw.edgeload.core.logs.flush()
    const logs = await t.admin<{ data: { items: Array<{ key_value: string }> } }>(
      'GET',
      `/api/logs?key_value=${used}`,
    )
    expect(logs.body.data.items).toHaveLength(1)
    expect(logs.body.data.items[0].key_value).not.toBe(used)
  })

  it('lists keys masked, reveals them on request, finds them by value and exports them', async () => {
    const masked = await t.admin<{ data: { items: Array<{ key_value: string }> } }>(
      'GET',
      `/api/keys?group_id=${groupId}`,
    )
    expect(masked.body.data.items.map((k) => k.key_value)).not.toContain(KEYS[0])
    expect(Object.keys(await t.keysOf(groupId)).sort()).toEqual(KEYS)
    const found = await t.admin<{ data: { items: unknown[] } }>(
      'GET',
      `/api/keys?group_id=${groupId}&key_value=${KEYS[1]}`,
    )
    expect(found.body.data.items).toHaveLength(1)
    const exp = await fetch(`${t.url}/api/keys/export?group_id=${groupId}`, {
      headers: { authorization: `Bearer ${t.gw.env.AUTH_KEY}` },
    })
    expect((await exp.text()).trim().split('\n').sort()).toEqual(KEYS)
  })

  it('dedupes a re-added key through its HMAC hash', async () => {
    const r = await t.admin<{ data: { added_count: number; ignored_count: number } }>(
      'POST',
      '/api/keys/add-multiple',
      { group_id: groupId, keys_text: KEYS[0] },
    )
    expect(r.status).toBe(200)
    expect(r.body.data).toMatchObject({ added_count: 0, ignored_count: 1 })
  })

  it('reports no mismatch and warns about nothing for a strong key', async () => {
    const s = await t.admin<{ data: { has_mismatch: boolean } }>(
      'GET',
      '/api/dashboard/encryption-status',
    )
    expect(s.body.data).toEqual({
      has_mismatch: false,
      scenario_type: '',
      message: '',
      suggestion: '',
    })
  })
})
