// Store contract, task state part: the shared key-task row. The lock is a lease that only one
// owner holds at a time, a lapsed lease can be taken over, and only the owner writes the status.
import { beforeEach, describe, expect, it } from 'vitest'
import type { Store, TaskStatus } from '../src/store/types'

const T = 1_000_000
const LEASE = 60_000

const running = (processed = 0): TaskStatus => ({
  task_type: 'KEY_IMPORT',
  is_running: true,
  group_name: 'alpha',
  processed,
  total: 10,
  started_at: new Date(T).toISOString(),
})

export function describeTasks(get: () => Store) {
  describe('task state', () => {
    let store: Store
    beforeEach(() => {
      store = get()
    })

    it('has no row before the first task', async () => {
      expect(await store.getTaskState()).toBeNull()
    })

    it('gives the lock to one owner and refuses a second while the lease lives', async () => {
      expect(await store.acquireTask('a', T + LEASE, T, running())).toBe(true)
      expect(await store.acquireTask('b', T + 1 + LEASE, T + 1, running())).toBe(false)
      expect(await store.acquireTask('a', T + 2 + LEASE, T + 2, running())).toBe(false)
      expect(await store.getTaskState()).toEqual({
        owner: 'a',
        lease_until: T + LEASE,
        status: running(),
      })
    })

    it('lets only one of many simultaneous acquires win', async () => {
      const wins = await Promise.all(
        ['a', 'b', 'c', 'd', 'e'].map((o) => store.acquireTask(o, T + LEASE, T, running())),
      )
      expect(wins.filter(Boolean)).toHaveLength(1)
      const winner = ['a', 'b', 'c', 'd', 'e'][wins.indexOf(true)]
      expect((await store.getTaskState())?.owner).toBe(winner)
    })

    it('hands a lapsed lease to the next owner; renewing keeps it alive', async () => {
      await store.acquireTask('a', T + LEASE, T, running())
      expect(await store.renewTask('a', T + 2 * LEASE)).toBe(true)
      // At the old expiry the renewed lease still lives.
      expect(await store.acquireTask('b', T + 3 * LEASE, T + LEASE, running())).toBe(false)
      // At the renewed expiry it is dead: b takes over, and a can neither renew nor write.
      expect(await store.acquireTask('b', T + 3 * LEASE, T + 2 * LEASE, running(1))).toBe(true)
      expect(await store.renewTask('a', T + 4 * LEASE)).toBe(false)
      expect(await store.saveTaskStatus('a', running(9))).toBe(false)
      expect(await store.releaseTask('a', { ...running(9), is_running: false })).toBe(false)
      expect(await store.getTaskState()).toEqual({
        owner: 'b',
        lease_until: T + 3 * LEASE,
        status: running(1),
      })
    })

    it('saves the status only for the owner', async () => {
      await store.acquireTask('a', T + LEASE, T, running())
      expect(await store.saveTaskStatus('b', running(7))).toBe(false)
      expect((await store.getTaskState())?.status?.processed).toBe(0)
      expect(await store.saveTaskStatus('a', running(4))).toBe(true)
      expect((await store.getTaskState())?.status).toEqual(running(4))
    })

    it('frees the lock on release, keeping the final status for every reader', async () => {
      await store.acquireTask('a', T + LEASE, T, running())
      const done: TaskStatus = {
        ...running(10),
        is_running: false,
        result: { added_count: 9, ignored_count: 1 },
        finished_at: new Date(T + 1500).toISOString(),
        duration_seconds: 1.5,
      }
      expect(await store.releaseTask('b', done)).toBe(false)
      expect(await store.releaseTask('a', done)).toBe(true)
      expect(await store.getTaskState()).toEqual({ owner: '', lease_until: 0, status: done })
      expect(await store.releaseTask('a', done)).toBe(false)
      // Free again, even though the old lease would still have lived.
      expect(await store.acquireTask('b', T + 10 + LEASE, T + 10, running())).toBe(true)
      expect((await store.getTaskState())?.owner).toBe('b')
    })
  })
}
