// The Store as the core sees it when keys are encrypted at rest: key values are sealed on the way
// in and opened on the way out, so nothing else handles ciphertext. A value that cannot be opened
// never reaches the pool: v1 sent the ciphertext upstream instead (§8.1 #14).
import type { Logger } from '../deps'
import type { KeySecrets } from '../secrets/seal'
import type { ApiKey, PoolKeyRow, Store } from './types'

/** What the admin API shows for a key whose stored value cannot be opened. */
export const UNREADABLE_KEY = '(cannot decrypt: check ENCRYPTION_KEY)'

export const sealStore = (store: Store, secrets: KeySecrets, log: Logger): Store => {
  const openOr = async (stored: string, fallback: string) => {
    try {
      return await secrets.open(stored)
    } catch {
      return fallback
    }
  }
  const openKey = async (k: ApiKey): Promise<ApiKey> => ({
    ...k,
    key_value: await openOr(k.key_value, UNREADABLE_KEY),
  })
  /** Opens pool rows and drops the ones that cannot be opened, saying so once per call. */
  const openRows = async (rows: PoolKeyRow[]): Promise<PoolKeyRow[]> => {
    const out = await Promise.all(
      rows.map(async (r) => {
        const key_value = await openOr(r.key_value, '')
        return key_value ? { ...r, key_value } : null
      }),
    )
    const ok = out.filter((r): r is PoolKeyRow => r !== null)
    if (ok.length < rows.length) {
      log('error', 'stored keys cannot be decrypted and are left out of rotation', {
        count: rows.length - ok.length,
        ids: rows
          .filter((_, i) => out[i] === null)
          .slice(0, 10)
          .map((r) => r.id),
      })
    }
    return ok
  }

  return {
    ...store,
    async listKeys(q) {
      const page = await store.listKeys(q)
      return { ...page, items: await Promise.all(page.items.map(openKey)) }
    },
    async getKey(id) {
      const k = await store.getKey(id)
      return k && openKey(k)
    },
    loadKeys: async (groupId, afterId, limit, status) =>
      openRows(await store.loadKeys(groupId, afterId, limit, status)),
    async addKeys(groupId, keys) {
      if (!secrets.encrypts) return store.addKeys(groupId, keys)
      // Sealed values are unique (random nonce), so they map the inserted rows back to keys.
      const plain = new Map<string, string>()
      const sealed = await Promise.all(
        keys.map(async (k) => {
          const key_value = await secrets.seal(k.key_value)
          plain.set(key_value, k.key_value)
          return { ...k, key_value }
        }),
      )
      const rows = await store.addKeys(groupId, sealed)
      return rows.map((r) => ({ ...r, key_value: plain.get(r.key_value) ?? r.key_value }))
    },
    setKeysEnabled: async (groupId, ids, enabled) =>
      openRows(await store.setKeysEnabled(groupId, ids, enabled)),
  }
}
