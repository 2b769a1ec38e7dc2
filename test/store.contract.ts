// The Store contract: one suite that every Store implementation must pass. Each test gets a fresh,
// empty store from `make`, so tests never see each other's rows. The parts live apart by topic;
// the last test checks that the suite called every method the store has.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Store } from '../src/store/types'
import { methodRecorder } from './store.contract-coverage'
import { describeEnabled } from './store.contract-enabled'
import { describeGroups } from './store.contract-groups'
import { describeHistory } from './store.contract-history'
import { describeKeys } from './store.contract-keys'
import { describeLogExport } from './store.contract-log-export'
import { describeLogs } from './store.contract-logs'
import { describeRekey } from './store.contract-rekey'
import { describeTasks } from './store.contract-tasks'

type MakeStore = () => Promise<{ store: Store; close: () => Promise<void> }>

export function testStore(name: string, make: MakeStore) {
  // In order, one at a time whatever the config says: tests share `store`, and the coverage check
  // must run after every other test.
  describe(`Store contract: ${name}`, { sequential: true, shuffle: false }, () => {
    const recorder = methodRecorder()
    let store: Store
    let close: () => Promise<void>
    beforeEach(async () => {
      const made = await make()
      store = recorder.wrap(made.store)
      close = made.close
    })
    afterEach(async () => {
      await close()
    })

    describe('ping and close', () => {
      it('answers while the database is open', async () => {
        await expect(store.ping()).resolves.toBeUndefined()
        await store.putSettings({ a: '1' })
        await expect(store.ping()).resolves.toBeUndefined()
      })

      // What close does to the database is the opener's business (tested with each opener); the
      // contract asks that it settles, twice too, and that the opener's close after it is harmless.
      it('closes, and closing again is harmless', async () => {
        await store.putSettings({ a: '1' })
        await expect(store.close()).resolves.toBeUndefined()
        await expect(store.close()).resolves.toBeUndefined()
      })
    })

    describe('settings', () => {
      it('puts, gets and overwrites values, across chunks', async () => {
        expect(await store.getSettings()).toEqual({})
        const many = Object.fromEntries(Array.from({ length: 45 }, (_, i) => [`s${i}`, `${i}`]))
        await store.putSettings({ ...many, max_retries: '3' })
        await store.putSettings({ max_retries: '5' })
        expect(await store.getSettings()).toEqual({ ...many, max_retries: '5' })
      })

      it('seeds only the missing keys', async () => {
        await store.putSettings({ max_retries: '3' })
        await store.seedSettings({ max_retries: '9', request_timeout: '600' })
        expect(await store.getSettings()).toEqual({ max_retries: '3', request_timeout: '600' })
        await store.seedSettings({})
        expect(await store.getSettings()).toEqual({ max_retries: '3', request_timeout: '600' })
      })
    })

    describeGroups(() => store)
    describeKeys(name, () => store)
    describeEnabled(() => store)
    describeHistory(() => store)
    describeRekey(() => store)
    describeLogs(() => store)
    describeLogExport(() => store)
    describeTasks(() => store)

    // After the others wrote: `make` must hand out an empty store every time (on D1 it empties
    // the tables of a database that the whole file shares).
    it('starts every test from an empty store', async () => {
      expect(await store.getSettings()).toEqual({})
      expect(await store.listGroups()).toEqual([])
      expect(await store.listSubGroups(null)).toEqual([])
      expect(await store.countKeys(null)).toEqual({ total: 0, active: 0, invalid: 0, disabled: 0 })
      expect(await store.scanKeys(0, 10)).toEqual([])
      expect(await store.keyStorageSample('enc:')).toEqual({ sealed: null, plain: false })
      expect(await store.listKeyEvents(1, 1, 10)).toEqual({ items: [], total: 0 })
      expect(await store.queryLogs({ page: 1, page_size: 10 })).toEqual({ items: [], total: 0 })
      const [from, to] = [new Date(0), new Date(Date.UTC(2100, 0))]
      expect(await store.countLogs({ from, to })).toBe(0)
      expect(await store.hourlyStats(from, to)).toEqual([])
      expect(await store.logKeys({}, '', 10)).toEqual([])
      expect(await store.getTaskState()).toBeNull()
    })
    // Last, so that it sees every other test's calls.
    recorder.itCallsEveryMethod()
  })
}
