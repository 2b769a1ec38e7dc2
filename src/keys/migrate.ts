// migrate-keys (reference §1.12): encrypts, decrypts or re-keys the stored upstream keys in place,
// batch by batch. Each row is checked against the target first, so a run that stopped half-way
// resumes by running it again; each batch is one transaction, logs' key hashes included.
import { isSealed, type KeySecrets } from '../secrets/seal'
import type { KeyRewrite, StoredKeyRow, Store } from '../store/types'

export interface MigrateProgress {
  total: number
  /** Rows looked at so far. */
  scanned: number
  rewritten: number
  /** Already in the target form: what a resumed run skips. */
  unchanged: number
  /** Rows that `from` could not open; they are left as they are. */
  failed: number
  failedIds: number[]
}

export interface MigrateOptions {
  /** Rows per transaction; each row is up to two statements, under one batch's limit. */
  batch?: number
  onProgress?: (p: MigrateProgress) => void
}

/** The plaintext, and whether the stored value is already as `to` would store it. */
const openRow = async (v: string, from: KeySecrets, to: KeySecrets) => {
  if (!isSealed(v)) return { plain: v, inTarget: !to.encrypts }
  if (to.encrypts) {
    try {
      return { plain: await to.open(v), inTarget: true }
    } catch {
      // Not sealed by the target key: it must be the source key's.
    }
  }
  try {
    return { plain: await from.open(v), inTarget: false }
  } catch {
    return null
  }
}

const rewriteOf = async (
  r: StoredKeyRow,
  from: KeySecrets,
  to: KeySecrets,
): Promise<KeyRewrite | 'unchanged' | 'failed'> => {
  const opened = await openRow(r.key_value, from, to)
  if (!opened) return 'failed'
  const key_hash = await to.hash(opened.plain)
  if (opened.inTarget && key_hash === r.key_hash) return 'unchanged'
  const key_value = opened.inTarget ? r.key_value : await to.seal(opened.plain)
  return { id: r.id, key_value, key_hash, old_hash: r.key_hash }
}

export const migrateKeys = async (
  store: Store,
  from: KeySecrets,
  to: KeySecrets,
  opts: MigrateOptions = {},
): Promise<MigrateProgress> => {
  const batch = Math.min(Math.max(opts.batch ?? 100, 1), 100)
  const p: MigrateProgress = {
    total: (await store.countKeys(null)).total,
    scanned: 0,
    rewritten: 0,
    unchanged: 0,
    failed: 0,
    failedIds: [],
  }
  for (let afterId = 0; ;) {
    const rows = await store.scanKeys(afterId, batch)
    if (rows.length === 0) break
    const results = await Promise.all(rows.map((r) => rewriteOf(r, from, to)))
    const rewrites: KeyRewrite[] = []
    results.forEach((res, i) => {
      if (res === 'unchanged') p.unchanged++
      else if (res === 'failed') {
        p.failed++
        if (p.failedIds.length < 100) p.failedIds.push(rows[i].id)
      } else rewrites.push(res)
    })
    if (rewrites.length > 0) await store.rewriteKeys(rewrites)
    p.rewritten += rewrites.length
    p.scanned += rows.length
    afterId = rows[rows.length - 1].id
    opts.onProgress?.({ ...p })
  }
  return p
}
