// Opens the stored key values that the pool hands out. The pool holds sealed values (a shared pool
// must never see a plaintext key), so each node opens a key once and keeps the plaintext in a
// bounded, least-recently-used cache: AES-GCM then costs once per key per process, not per request.
import { isSealed, type KeySecrets } from './seal'

// Above the keys a node rotates through: a pool picks keys in turn, and a least-recently-used
// cache smaller than that misses on every pick (at 50,000 with 100,000 sealed keys, decryption
// was 14% of a node's CPU). ~200 bytes per opened key of 40 characters: ~50 MB when full.
export const OPENED_KEYS_MAX = 250_000

export interface KeyOpener {
  /** The plaintext of a stored value; `hash` names the key. Throws when it cannot be opened. */
  open(hash: string, stored: string): string | Promise<string>
  /** How many opened keys the cache holds (for tests and the dashboard). */
  size(): number
}

export const createKeyOpener = (secrets: KeySecrets, max = OPENED_KEYS_MAX): KeyOpener => {
  // Insertion order is recency: a hit moves the key to the end, the first entry is evicted.
  // A pending open is cached too, so concurrent picks of a new key decrypt it once.
  const opened = new Map<string, string | Promise<string>>()

  const remember = (hash: string, value: string | Promise<string>) => {
    opened.set(hash, value)
    if (opened.size > max) opened.delete(opened.keys().next().value as string)
  }

  return {
    open(hash, stored) {
      // Without ENCRYPTION_KEY the stored value is the key: nothing to open or to cache.
      // (A sealed value then cannot be opened: secrets.open says why.)
      if (!secrets.encrypts) return isSealed(stored) ? secrets.open(stored) : stored
      const hit = opened.get(hash)
      if (hit !== undefined) {
        opened.delete(hash)
        opened.set(hash, hit)
        return hit
      }
      const p = secrets.open(stored).then(
        (value) => {
          if (opened.get(hash) === p) opened.set(hash, value)
          return value
        },
        (err: unknown) => {
          if (opened.get(hash) === p) opened.delete(hash)
          throw err
        },
      )
      remember(hash, p)
      return p
    },
    size: () => opened.size,
  }
}
