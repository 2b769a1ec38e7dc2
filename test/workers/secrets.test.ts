// Encryption at rest inside workerd: the same WebCrypto code seals, opens and hashes keys there
// (PBKDF2 at Workers' 100,000-iteration cap, HKDF, AES-GCM, HMAC), over the D1 store, and a
// value sealed there opens with the key alone.
import { env } from 'cloudflare:workers'
import { drizzle } from 'drizzle-orm/d1'
import { describe, expect, it } from 'vitest'
import { migrateKeys } from '../../src/keys/migrate'
import { createKeySecrets, deploymentSalt, isSealed } from '../../src/secrets/seal'
import * as schema from '../../src/store/schema.sqlite'
import { sealStore } from '../../src/store/sealed'
import { createSqlStore } from '../../src/store/sql'
import { groupInput } from '../store.fixtures'

const PASS = 'workers-encryption-key-Zx8!Cv6#Bn4$'

describe('key secrets in workerd', () => {
  it('hashes to the vector Node gets (test/encryption.test.ts)', async () => {
    const s = createKeySecrets(
      'vector-passphrase-Qw3#Er5$Ty7',
      async () => 'c2FsdHNhbHRzYWx0c2FsdA',
    )
    expect(await s.hash('sk-vector-key-0001')).toBe(
      'b97a18d353e10ef16501f15dd445d2e36bd22b48e813e46b92e35e13f7525416',
    )
  })

  it('seals on D1, opens through the store, and re-keys in place', async () => {
    const raw = createSqlStore(drizzle(env.DB, { schema }))
    const secrets = createKeySecrets(PASS, () => deploymentSalt(raw))
    const store = sealStore(raw, secrets)
    const g = await store.createGroup(groupInput('enc-w'))
    const keys = ['sk-workers-a-0123', 'sk-workers-b-4567']
    const added = await store.addKeys(
      g.id,
      await Promise.all(keys.map(async (k) => ({ key_value: k, key_hash: await secrets.hash(k) }))),
    )
    // Rows for the pool stay sealed; the admin's reads come out opened.
    expect(added.every((r) => isSealed(r.key_value))).toBe(true)
    const stored = await raw.scanKeys(0, 10)
    expect(stored.every((r) => isSealed(r.key_value))).toBe(true)
    const pool = await store.loadKeys(g.id, 0, 10)
    expect(pool.every((r) => isSealed(r.key_value))).toBe(true)
    expect((await Promise.all(pool.map((r) => secrets.open(r.key_value)))).sort()).toEqual(keys)
    const page = await store.listKeys({ group_id: g.id, page: 1, page_size: 10 })
    expect(page.items.map((r) => r.key_value).sort()).toEqual(keys)

    const next = createKeySecrets('second-workers-key-Qa1@Ws2#Ed3$', () => deploymentSalt(raw))
    expect(await migrateKeys(raw, secrets, next)).toMatchObject({ rewritten: 2, failed: 0 })
    const rekeyed = await raw.scanKeys(0, 10)
    expect((await Promise.all(rekeyed.map((r) => next.open(r.key_value)))).sort()).toEqual(keys)
    await expect(secrets.open(rekeyed[0].key_value)).rejects.toThrow(/does not match/)
  })
})
