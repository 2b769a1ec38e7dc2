// The key opener: a node opens each sealed key at most once while it stays in a bounded LRU cache.
import { describe, expect, it } from 'vitest'
import { createKeyOpener } from '../src/secrets/opener'
import { createKeySecrets, type KeySecrets } from '../src/secrets/seal'

const SALT = 'c2FsdHNhbHRzYWx0c2FsdA'
const PASS = 'opener-test-key-Qa1@Ws2#Ed3$Rf4%'

/** Real secrets, counting how often a value is opened. */
const counted = (pass: string | null = PASS) => {
  const inner = createKeySecrets(pass ?? undefined, async () => SALT)
  const opens: string[] = []
  const secrets: KeySecrets = {
    ...inner,
    encrypts: inner.encrypts,
    open: async (stored) => {
      opens.push(stored)
      return inner.open(stored)
    },
  }
  return { inner, secrets, opens }
}

describe('the key opener', () => {
  it('opens a sealed key once, however often and however concurrently it is picked', async () => {
    const { inner, secrets, opens } = counted()
    const opener = createKeyOpener(secrets)
    const stored = await inner.seal('sk-open-once-0123')
    const first = await Promise.all(Array.from({ length: 10 }, () => opener.open('h1', stored)))
    expect(first).toEqual(Array(10).fill('sk-open-once-0123'))
    for (let i = 0; i < 100; i++) expect(await opener.open('h1', stored)).toBe('sk-open-once-0123')
    expect(opens).toHaveLength(1)
  })

  it('keeps at most `max` keys, evicting the least recently used', async () => {
    const { inner, secrets, opens } = counted()
    const opener = createKeyOpener(secrets, 3)
    const sealed = await Promise.all([1, 2, 3, 4].map((i) => inner.seal(`sk-lru-${i}`)))
    for (let i = 0; i < 3; i++) await opener.open(`h${i}`, sealed[i])
    await opener.open('h0', sealed[0]) // h0 is now the most recent; h1 the least
    await opener.open('h3', sealed[3])
    expect(opener.size()).toBe(3)
    expect(opens).toHaveLength(4)
    await opener.open('h0', sealed[0])
    await opener.open('h2', sealed[2])
    expect(opens).toHaveLength(4) // both still cached
    await opener.open('h1', sealed[1])
    expect(opens).toHaveLength(5) // h1 was evicted, so it is opened again
    expect(opener.size()).toBe(3)
  })

  it('does not cache a failure, and passes plaintext through without opening', async () => {
    const { inner, secrets, opens } = counted()
    const other = createKeySecrets('another-key-Zx9!Cv8@Bn7#', async () => SALT)
    const opener = createKeyOpener(secrets)
    const foreign = await other.seal('sk-foreign-0123')
    await expect(opener.open('hf', foreign)).rejects.toThrow(/does not match/)
    await expect(opener.open('hf', foreign)).rejects.toThrow(/does not match/)
    expect(opens).toHaveLength(2)
    expect(opener.size()).toBe(0)
    expect(await opener.open('hp', await inner.seal('sk-x-0123'))).toBe('sk-x-0123')

    const plain = counted(null)
    const open2 = createKeyOpener(plain.secrets)
    expect(open2.open('h', 'sk-plain-0123')).toBe('sk-plain-0123')
    expect(plain.opens).toHaveLength(0)
    // Without ENCRYPTION_KEY a sealed value cannot be opened, and says why.
    await expect(open2.open('h', foreign)).rejects.toThrow(/ENCRYPTION_KEY is not set/)
  })
})
