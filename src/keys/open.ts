// Where stored key values become plaintext. The pool and the store hold them as stored (sealed
// when ENCRYPTION_KEY is set): a pick opens through the node's bounded cache, and the admin paths
// that must show or send keys open whole pages. A value that cannot be opened never goes upstream:
// v1 sent the ciphertext instead (§8.1 #14).
import type { Deps } from '../deps'
import type { KeyOpener } from '../secrets/opener'
import { isSealed, type KeySecrets } from '../secrets/seal'
import type { PoolKeyRow } from '../store/types'
import type { PickedKey } from './pool'

/** A picked key, opened for one attempt. */
export interface OpenedKey extends Omit<PickedKey, 'stored'> {
  value: string
}

export const createKeyOpening = (deps: Deps, secrets: KeySecrets, opener: KeyOpener) => {
  const { pool, log } = deps

  /** Opens a picked key; one this node cannot open leaves the pool, and null is returned. */
  const open = async (groupId: number, p: PickedKey): Promise<OpenedKey | null> => {
    try {
      const value = await opener.open(p.hash, p.stored)
      return { id: p.id, hash: p.hash, value, failures: p.failures, rejoined: p.rejoined }
    } catch (err) {
      log('error', 'a stored key cannot be decrypted and is left out of rotation', {
        group_id: groupId,
        id: p.id,
        error: String((err as Error).message ?? err),
      })
      await pool.remove(groupId, [p.id])
      return null
    }
  }

  /** Picks and opens a key; a key this node cannot open leaves the pool, and the next is tried. */
  const pick = async (
    groupId: number,
    exclude?: ReadonlySet<number>,
    model?: string,
  ): Promise<OpenedKey | null> => {
    for (;;) {
      const p = await pool.pick(groupId, deps.now(), exclude, model)
      if (p === null) return null
      // Each failed open removes one key, so the loop ends.
      const opened = await open(groupId, p)
      if (opened !== null) return opened
    }
  }

  /** Opens stored rows; the ones that cannot be opened are dropped, said once per call. */
  const openRows = async (rows: PoolKeyRow[]): Promise<PoolKeyRow[]> => {
    if (!rows.some((r) => isSealed(r.key_value))) return rows
    const out = await Promise.all(
      rows.map(async (r) => {
        try {
          return { ...r, key_value: await secrets.open(r.key_value) }
        } catch {
          return null
        }
      }),
    )
    const ok = out.filter((r): r is PoolKeyRow => r !== null)
    if (ok.length < rows.length) {
      log('error', 'stored keys cannot be decrypted and are left out', {
        count: rows.length - ok.length,
        ids: rows
          .filter((_, i) => out[i] === null)
          .slice(0, 10)
          .map((r) => r.id),
      })
    }
    return ok
  }

  return { pick, open, openRows }
}
