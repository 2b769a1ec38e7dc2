// Upstream keys at rest (reference §1.12): AES-256-GCM sealing and the key_hash, over WebCrypto so
// every runtime runs the same code. Fixes v1's crypto choices (§8.3 #8): the PBKDF2 salt is random
// per deployment, and the encryption and hash keys are derived apart (HKDF with distinct labels).
import { hashKey, toHex } from './crypto'
import { AppError } from '../errors'
import type { Store } from '../store/types'

export const SEALED_PREFIX = 'enc:v1:'
// Workers refuses PBKDF2 above 100,000 iterations; the same count runs everywhere.
const ITERATIONS = 100_000
const enc = new TextEncoder()
const dec = new TextDecoder()

export interface KeySecrets {
  /** True when ENCRYPTION_KEY is set: stored values are sealed and hashes are HMACs. */
  readonly encrypts: boolean
  /** The lookup hash: HMAC-SHA256 under a derived key, or plain SHA-256 without ENCRYPTION_KEY. */
  hash(key: string): Promise<string>
  /** The value to store: sealed when encrypting, else the key itself. */
  seal(key: string): Promise<string>
  /** The key from a stored value; plaintext passes through. Throws AppError when it cannot open. */
  open(stored: string): Promise<string>
}

/** True for a value sealed by seal(): `enc:v1:<salt>:<nonce‖ciphertext>` in base64url. */
export const isSealed = (stored: string): boolean => stored.startsWith(SEALED_PREFIX)

export const toBase64Url = (bytes: Uint8Array): string => {
  let s = ''
  for (const b of bytes) s += String.fromCharCode(b)
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

const fromBase64Url = (s: string): Uint8Array<ArrayBuffer> => {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'))
  return Uint8Array.from(bin, (ch) => ch.charCodeAt(0))
}

/** The system-settings row that holds the deployment's salt (not a setting: never listed). */
export const SALT_SETTING = 'encryption_salt'

/**
 * The deployment's PBKDF2 salt: random, made on first use and kept in the store. seedSettings
 * inserts only a missing row, so nodes starting together agree on whichever salt landed first.
 */
export const deploymentSalt = async (store: Pick<Store, 'getSettings' | 'seedSettings'>) => {
  const have = (await store.getSettings())[SALT_SETTING]
  if (have) return have
  await store.seedSettings({
    [SALT_SETTING]: toBase64Url(crypto.getRandomValues(new Uint8Array(16))),
  })
  return (await store.getSettings())[SALT_SETTING]
}

const cannotOpen = (why: string) => new AppError(500, 'DECRYPTION_FAILED', why)

/**
 * Synchronous SHA-256 and HMAC-SHA256, hex: an adapter may offer them because WebCrypto's async
 * digest costs about 15 µs a call, which a 100k-key import feels. Same bytes as WebCrypto's.
 */
export interface KeyHasher {
  sha256(data: string): string
  hmacSha256(key: Uint8Array, data: string): string
}

interface DerivedKeys {
  aes: CryptoKey
  /** The HMAC key's raw bytes: a KeyHasher takes bytes, WebCrypto a CryptoKey made from them. */
  hmacBits: Uint8Array<ArrayBuffer>
  hmac: CryptoKey
}

const derive = async (passphrase: string, salt: Uint8Array<ArrayBuffer>): Promise<DerivedKeys> => {
  const base = await crypto.subtle.importKey('raw', enc.encode(passphrase), 'PBKDF2', false, [
    'deriveBits',
  ])
  const bits = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations: ITERATIONS },
    base,
    256,
  )
  const master = await crypto.subtle.importKey('raw', bits, 'HKDF', false, [
    'deriveKey',
    'deriveBits',
  ])
  const hkdf = (info: string) => ({
    name: 'HKDF',
    hash: 'SHA-256',
    salt: new Uint8Array(0),
    info: enc.encode(info),
  })
  const [aes, hmacBits] = await Promise.all([
    crypto.subtle.deriveKey(
      hkdf('edgeload/v1/aes-256-gcm'),
      master,
      { name: 'AES-GCM', length: 256 },
      false,
      ['encrypt', 'decrypt'],
    ),
    crypto.subtle.deriveBits(hkdf('edgeload/v1/key-hash'), master, 256),
  ])
  const hmac = await crypto.subtle.importKey(
    'raw',
    hmacBits,
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  return { aes, hmacBits: new Uint8Array(hmacBits), hmac }
}

const plainSecrets = (hasher?: KeyHasher): KeySecrets => ({
  encrypts: false,
  hash: hasher ? async (key) => hasher.sha256(key) : hashKey,
  seal: async (key) => key,
  open: async (stored) => {
    if (isSealed(stored)) throw cannotOpen('the key is encrypted but ENCRYPTION_KEY is not set')
    return stored
  },
})

/**
 * Secrets for one ENCRYPTION_KEY (none: plaintext and SHA-256). `deploymentSalt` is read once, on
 * first use, for sealing and hashing; opening uses the salt inside each value, so a value stays
 * readable with its key alone.
 */
export const createKeySecrets = (
  passphrase: string | undefined,
  deploymentSalt: () => Promise<string>,
  hasher?: KeyHasher,
): KeySecrets => {
  if (!passphrase) return plainSecrets(hasher)
  const bySalt = new Map<string, Promise<DerivedKeys>>()
  const keysFor = (salt: string) => {
    let p = bySalt.get(salt)
    if (!p) {
      p = derive(passphrase, fromBase64Url(salt))
      bySalt.set(salt, p)
    }
    return p
  }
  let own: Promise<{ salt: string; keys: DerivedKeys }> | null = null
  const current = () =>
    (own ??= deploymentSalt().then(async (salt) => ({ salt, keys: await keysFor(salt) })))

  return {
    encrypts: true,
    async hash(key) {
      const { keys } = await current()
      if (hasher) return hasher.hmacSha256(keys.hmacBits, key)
      return toHex(await crypto.subtle.sign('HMAC', keys.hmac, enc.encode(key)))
    },
    async seal(key) {
      const { salt, keys } = await current()
      const iv = crypto.getRandomValues(new Uint8Array(12))
      const ct = new Uint8Array(
        await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, keys.aes, enc.encode(key)),
      )
      const packed = new Uint8Array(iv.length + ct.length)
      packed.set(iv)
      packed.set(ct, iv.length)
      return `${SEALED_PREFIX}${salt}:${toBase64Url(packed)}`
    },
    async open(stored) {
      if (!isSealed(stored)) return stored
      const [salt, body] = stored.slice(SEALED_PREFIX.length).split(':')
      if (!salt || !body) throw cannotOpen('the stored key is malformed')
      try {
        const packed = fromBase64Url(body)
        const { aes } = await keysFor(salt)
        const pt = await crypto.subtle.decrypt(
          { name: 'AES-GCM', iv: packed.subarray(0, 12) },
          aes,
          packed.subarray(12),
        )
        return dec.decode(pt)
      } catch {
        // GCM authentication fails for a wrong key and for tampered data alike.
        throw cannotOpen('ENCRYPTION_KEY does not match the key that encrypted the stored keys')
      }
    },
  }
}
