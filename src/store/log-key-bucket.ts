// SQLite's log index keys on a hash's bucket (its first character), not the whole hash: with many
// keys, each log row's hash would land at a random page of a whole-hash index and dirty it, which
// cost a chat 20–25% more CPU with 100,000 keys. Lookups by hash name the bucket too, so the index
// serves them; the expression must read exactly as the index has it.
import { sql, type Column, type SQL } from 'drizzle-orm'

export const logKeyBucket = (keyHash: Column): SQL => sql`substr(${keyHash}, 1, 1)`

/** The bucket a hash is in, as logKeyBucket computes it in SQL: its first character. */
export const bucketOf = (hash: string): string => {
  const first = hash.codePointAt(0)
  return first === undefined ? '' : String.fromCodePoint(first)
}
