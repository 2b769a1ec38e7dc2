// The Store as the core sees it when keys are encrypted at rest: key values are sealed on the way
// in, and the admin's reads of single keys and pages come out opened. Pool rows stay sealed, so a
// shared pool never holds a plaintext key; src/keys/open.ts opens them where they are used.
import type { KeySecrets } from '../secrets/seal'
import type { ApiKey, Store } from './types'

/** What the admin API shows for a key whose stored value cannot be opened. */
export const UNREADABLE_KEY = '(cannot decrypt: check ENCRYPTION_KEY)'

export const sealStore = (store: Store, secrets: KeySecrets): Store => {
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
    // Pool rows (loadKeys, addKeys, setKeysEnabled) stay sealed: they go to the pool as stored.
    async addKeys(groupId, keys) {
      if (!secrets.encrypts) return store.addKeys(groupId, keys)
      const sealed = await Promise.all(
        keys.map(async (k) => ({ ...k, key_value: await secrets.seal(k.key_value) })),
      )
      return store.addKeys(groupId, sealed)
    },
    // A task's input is keys in plain text: sealed at rest like the keys themselves.
    async putTaskInput(parts) {
      if (!secrets.encrypts) return store.putTaskInput(parts)
      return store.putTaskInput(await Promise.all(parts.map((p) => secrets.seal(p))))
    },
    async getTaskInput(seq) {
      const part = await store.getTaskInput(seq)
      return part === null ? null : secrets.open(part)
    },
  }
}
