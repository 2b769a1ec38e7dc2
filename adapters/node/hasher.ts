// Key hashing on Node through node:crypto: synchronous, about a tenth of WebCrypto's per-call
// cost, which is most of what hashing a 100k-key import costs. Same bytes as WebCrypto's.
import { createHash, createHmac } from 'node:crypto'
import type { KeyHasher } from '../../src/secrets/seal'

export const nodeHasher: KeyHasher = {
  sha256: (data) => createHash('sha256').update(data).digest('hex'),
  hmacSha256: (key, data) => createHmac('sha256', key).update(data).digest('hex'),
}
