// The "direct" side of each scale figure, in this process: the store on its own SQLite file (no
// HTTP, no key pool, no task runner), and plain fetches to the fake upstream. The gap between a
// gateway figure and its direct twin is what the gateway itself adds.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openSqlite } from '../adapters/node/db'
import { hashKey } from '../src/secrets/crypto'
import type { KeyQuery, Store } from '../src/store/types'

export interface Timing {
  p50: number
  max: number
}

export const toTiming = (ms: number[]): Timing => {
  const s = [...ms].sort((a, b) => a - b)
  return { p50: s[s.length >> 1] ?? 0, max: s[s.length - 1] ?? 0 }
}

/** Calls `fn` `n` times one after another; latency of each in ms. */
export const timeCalls = async (n: number, fn: () => Promise<unknown>) => {
  const ms: number[] = []
  for (let i = 0; i < n; i++) {
    const t0 = performance.now()
    await fn()
    ms.push(performance.now() - t0)
  }
  return toTiming(ms)
}

export interface PagingCase {
  name: string
  query: Omit<KeyQuery, 'group_id' | 'key_hash'> & { key_value?: string }
}

/** The list queries both sides run: first, middle and last page, a status filter, a search. */
export const pagingCases = (keys: string[], pageSize = 20): PagingCase[] => {
  const last = Math.ceil(keys.length / pageSize)
  const mid = Math.ceil(last / 2)
  return [
    { name: 'first page', query: { page: 1, page_size: pageSize } },
    { name: `middle page (${mid})`, query: { page: mid, page_size: pageSize } },
    { name: `last page (${last})`, query: { page: last, page_size: pageSize } },
    {
      name: `status=active, page ${mid}`,
      query: { page: mid, page_size: pageSize, status: 'active' },
    },
    {
      name: 'key_value search',
      query: { page: 1, page_size: pageSize, key_value: keys[keys.length >> 1] },
    },
  ]
}

export interface DirectStore {
  /** Hashing every key (SHA-256, as the key service does), ms. */
  hashMs: number
  /** store.addKeys with the hashed keys in 1000-key slices, as the key service calls it, ms. */
  addMs: number
  paging: Timing[]
  close: () => Promise<void>
}

/** addKeys for all `keys` into a fresh file, then the paging cases through store.listKeys. */
export const measureStore = async (
  keys: string[],
  cases: PagingCase[],
  calls: number,
): Promise<DirectStore> => {
  const dir = mkdtempSync(join(tmpdir(), 'edgeload-scale-direct-'))
  const { store, close } = await openSqlite(join(dir, 'direct.db'))
  const groupId = 1
  let t0 = performance.now()
  // In parallel slices of 250, as the key service hashes.
  const hashes: string[] = []
  for (let i = 0; i < keys.length; i += 250) {
    hashes.push(...(await Promise.all(keys.slice(i, i + 250).map(hashKey))))
  }
  const hashMs = performance.now() - t0
  t0 = performance.now()
  for (let i = 0; i < keys.length; i += 1000) {
    const slice = keys.slice(i, i + 1000).map((key_value, j) => ({
      key_value,
      key_hash: hashes[i + j],
    }))
    await store.addKeys(groupId, slice)
  }
  const addMs = performance.now() - t0
  const paging: Timing[] = []
  for (const c of cases) {
    const { key_value, ...rest } = c.query
    const key_hash = key_value ? await hashKey(key_value) : undefined
    paging.push(
      await timeCalls(calls, () => listOnce(store, { group_id: groupId, key_hash, ...rest })),
    )
  }
  return {
    hashMs,
    addMs,
    paging,
    close: async () => {
      await close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

const listOnce = async (store: Store, q: KeyQuery) => {
  const page = await store.listKeys(q)
  if (page.items.length === 0 && page.total > 0) throw new Error('listKeys returned no items')
}

/** `n` POSTs to `url` with at most `limit` in flight: the validation rounds without a gateway. */
export const fetchWithLimit = async (url: string, n: number, limit: number) => {
  const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
  let next = 0
  const worker = async () => {
    while (next++ < n) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { authorization: 'Bearer sk-direct', 'content-type': 'application/json' },
        body,
      })
      await res.arrayBuffer()
    }
  }
  const t0 = performance.now()
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker))
  return performance.now() - t0
}
