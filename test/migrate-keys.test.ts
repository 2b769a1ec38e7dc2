// migrate-keys: encrypt, re-key and decrypt in place, logs' key hashes carried along, resume
// after a stop, rows a wrong --from cannot open left alone; the encryption status; the command.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { openSqlite, type SqliteHandle } from '../adapters/node/db'
import { encryptionStatus } from '../src/secrets/status'
import { migrateKeys } from '../src/keys/migrate'
import { createKeySecrets, deploymentSalt, isSealed, type KeySecrets } from '../src/secrets/seal'
import type { Store } from '../src/store/types'
import { groupInput, logRow } from './store.fixtures'

const A = 'first-encryption-key-Qw3#Er5$Ty7'
const B = 'second-encryption-key-Ui9&Op1!As'
const KEYS = Array.from({ length: 7 }, (_, i) => `sk-migrate-${i}-xxxxxxxx`)

let dir: string
let db: SqliteHandle
const secrets = (pass?: string) => createKeySecrets(pass, () => deploymentSalt(db.store))

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edgeload-migrate-'))
  db = await openSqlite(join(dir, 'edgeload.db'))
  const plain = secrets()
  const g = await db.store.createGroup(groupInput('mig'))
  await db.store.addKeys(
    g.id,
    await Promise.all(KEYS.map(async (k) => ({ key_value: k, key_hash: await plain.hash(k) }))),
  )
  // Two log rows per key, under the hash the key has now.
  await db.store.insertLogs(
    (await Promise.all(KEYS.map((k) => plain.hash(k)))).flatMap((h) => [
      logRow({ key_hash: h }),
      logRow({ key_hash: h, request_type: 'retry' }),
    ]),
  )
})
afterEach(async () => {
  await db.close()
  rmSync(dir, { recursive: true, force: true })
})

/** Every key opens with `s`, its hash is `s`'s, and its two log rows are found by that hash. */
const expectAllUnder = async (s: KeySecrets) => {
  const rows = await db.store.scanKeys(0, 100)
  expect(rows).toHaveLength(KEYS.length)
  for (const r of rows) {
    expect(isSealed(r.key_value)).toBe(s.encrypts)
    const k = await s.open(r.key_value)
    expect(KEYS).toContain(k)
    expect(r.key_hash).toBe(await s.hash(k))
    const logs = await db.store.queryLogs({ page: 1, page_size: 10, key_hash: r.key_hash })
    expect(logs.total).toBe(2)
  }
}

describe('migrateKeys', () => {
  it('encrypts, re-keys and decrypts, carrying the log hashes along', async () => {
    let r = await migrateKeys(db.store, secrets(), secrets(A), { batch: 3 })
    expect(r).toMatchObject({ total: 7, scanned: 7, rewritten: 7, unchanged: 0, failed: 0 })
    await expectAllUnder(secrets(A))

    r = await migrateKeys(db.store, secrets(A), secrets(B))
    expect(r).toMatchObject({ rewritten: 7, failed: 0 })
    await expectAllUnder(secrets(B))
    await expect(secrets(A).open((await db.store.scanKeys(0, 1))[0].key_value)).rejects.toThrow()

    r = await migrateKeys(db.store, secrets(B), secrets())
    expect(r).toMatchObject({ rewritten: 7, failed: 0 })
    await expectAllUnder(secrets())
  })

  it('resumes after a stop: a second run finishes and skips what is done', async () => {
    let calls = 0
    const failing: Store = {
      ...db.store,
      rewriteKeys: async (rows) => {
        if (++calls === 2) throw new Error('disk full')
        return db.store.rewriteKeys(rows)
      },
    }
    await expect(migrateKeys(failing, secrets(), secrets(A), { batch: 3 })).rejects.toThrow(
      'disk full',
    )
    const seen: number[] = []
    const r = await migrateKeys(db.store, secrets(), secrets(A), {
      batch: 3,
      onProgress: (p) => seen.push(p.scanned),
    })
    expect(r).toMatchObject({ rewritten: 4, unchanged: 3, failed: 0 })
    expect(seen).toEqual([3, 6, 7])
    await expectAllUnder(secrets(A))
    // A third run has nothing left to do.
    expect(await migrateKeys(db.store, secrets(), secrets(A))).toMatchObject({ unchanged: 7 })
  })

  it('leaves keys that --from cannot open as they are, and names them', async () => {
    await migrateKeys(db.store, secrets(), secrets(A))
    const before = await db.store.scanKeys(0, 100)
    const r = await migrateKeys(db.store, secrets('not-the-right-key-at-all-123'), secrets(B))
    expect(r).toMatchObject({ rewritten: 0, failed: 7 })
    expect(r.failedIds).toEqual(before.map((k) => k.id))
    expect(await db.store.scanKeys(0, 100)).toEqual(before)
  })
})

describe('encryption status', () => {
  it('names each mismatch: not encrypted, no key, wrong key', async () => {
    expect(await encryptionStatus(db.store, secrets())).toMatchObject({ has_mismatch: false })
    expect(await encryptionStatus(db.store, secrets(A))).toMatchObject({
      has_mismatch: true,
      scenario_type: 'data_not_encrypted',
    })
    await migrateKeys(db.store, secrets(), secrets(A))
    expect(await encryptionStatus(db.store, secrets(A))).toMatchObject({ has_mismatch: false })
    expect(await encryptionStatus(db.store, secrets())).toMatchObject({
      scenario_type: 'key_not_configured',
    })
    const wrong = await encryptionStatus(db.store, secrets(B))
    expect(wrong).toMatchObject({ has_mismatch: true, scenario_type: 'key_mismatch' })
    expect(JSON.stringify(wrong)).not.toContain(B)
  })
})

describe('npm run migrate-keys', () => {
  const MAIN = fileURLToPath(new URL('../adapters/node/main.ts', import.meta.url))
  // Through tsx rather than start.mjs: no build step racing other tests for dist/.
  const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', TSX, MAIN, 'migrate-keys', ...args], {
      cwd: dir,
      env: { ...process.env, DATABASE_DSN: join(dir, 'edgeload.db') },
      encoding: 'utf8',
      timeout: 30_000,
    })

  it('encrypts the database it is pointed at and refuses bad arguments', async () => {
    await db.close()
    const bad = run()
    expect(bad.status).toBe(2)
    expect(bad.stdout).toContain('usage: npm run migrate-keys')
    const ok = run('--to', A, '--batch', '4')
    expect(ok.stderr).toBe('')
    expect(ok.status).toBe(0)
    expect(ok.stdout).toContain('done: 7/7 keys: 7 rewritten, 0 already done, 0 failed')
    expect(ok.stdout).not.toContain(A)
    db = await openSqlite(join(dir, 'edgeload.db'))
    await expectAllUnder(secrets(A))
    const wrong = run('--from', B, '--to', A)
    expect(wrong.status).toBe(0)
    expect(wrong.stdout).toContain('0 rewritten, 7 already done')
  })
})
