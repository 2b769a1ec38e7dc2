// Store contract, task status part: the shared key-task row. The lock itself is a coordination
// lease (test/coord.contract.ts); here `owner` fences the writes: the last starter alone writes.
import { beforeEach, describe, expect, it } from 'vitest'
import type { Store, TaskJob, TaskStatus } from '../src/store/types'

// Task times are RFC 3339 strings inside the status JSON; milliseconds must survive too.
const T = Date.UTC(2025, 0, 15, 10, 0, 0, 123)

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
      expect(await store.saveTaskStatus('a', running())).toBe(false)
      expect(await store.getTaskState()).toBeNull()
    })

    it('starts a task: its status is stored and its owner becomes the only writer', async () => {
      await store.startTask('a', running())
      expect(await store.getTaskState()).toEqual({ owner: 'a', status: running(), job: null })
      expect(await store.saveTaskStatus('b', running(7))).toBe(false)
      expect(await store.saveTaskStatus('a', running(4))).toBe(true)
      expect(await store.getTaskState()).toEqual({ owner: 'a', status: running(4), job: null })
    })

    it('fences the previous owner out once another task starts', async () => {
      await store.startTask('a', running(3))
      await store.startTask('b', running(1))
      expect(await store.saveTaskStatus('a', { ...running(9), is_running: false })).toBe(false)
      expect(await store.getTaskState()).toEqual({ owner: 'b', status: running(1), job: null })
    })

    it('keeps the final status for every reader', async () => {
      await store.startTask('a', running())
      const done: TaskStatus = {
        ...running(10),
        is_running: false,
        result: { added_count: 9, ignored_count: 1 },
        finished_at: new Date(T + 1501).toISOString(),
        duration_seconds: 1.501,
      }
      expect(await store.saveTaskStatus('a', done)).toBe(true)
      const state = await store.getTaskState()
      expect(state).toEqual({ owner: 'a', status: done, job: null })
      expect(state?.status?.finished_at).toBe('2025-01-15T10:00:01.624Z')
    })

    it('rejects an empty owner', async () => {
      await expect(store.startTask('', running())).rejects.toThrow(/owner/)
    })

    it('keeps the job with the status, and saves it with progress', async () => {
      const job: TaskJob = {
        kind: 'KEY_VALIDATION',
        group_id: 3,
        status_filter: 'invalid',
        parts: 0,
        cursor: 0,
        counts: {},
        started_ms: T,
      }
      await store.startTask('a', running(), job)
      expect(await store.getTaskState()).toEqual({ owner: 'a', status: running(), job })
      const next = { ...job, cursor: 41, counts: { valid_keys: 2 } }
      expect(await store.saveTaskStatus('a', running(5), next)).toBe(true)
      // Without a job, progress leaves the saved job (and its cursor) as it was.
      expect(await store.saveTaskStatus('a', running(6))).toBe(true)
      expect(await store.getTaskState()).toEqual({ owner: 'a', status: running(6), job: next })
      await store.startTask('b', running())
      expect((await store.getTaskState())?.job).toBeNull()
    })

    it('hands the row to a new driver only from its current writer', async () => {
      await store.startTask('a', running())
      expect(await store.claimTask('x', 'b')).toBe(false)
      expect(await store.claimTask('a', 'b')).toBe(true)
      expect(await store.saveTaskStatus('a', running(2))).toBe(false)
      expect(await store.saveTaskStatus('b', running(3))).toBe(true)
      expect(await store.getTaskState()).toMatchObject({ owner: 'b', status: running(3) })
    })

    it('stores the input in parts and replaces it whole', async () => {
      expect(await store.getTaskInput(0)).toBeNull()
      // A part the size a 1000-key import writes, with text that must survive as is.
      const big = JSON.stringify(Array.from({ length: 1000 }, (_, i) => `sk-${i}-é😀`.repeat(8)))
      const parts = Array.from({ length: 250 }, (_, i) => (i === 7 ? big : `["k${i}"]`))
      await store.putTaskInput(parts)
      expect(await store.getTaskInput(0)).toBe('["k0"]')
      expect(await store.getTaskInput(7)).toBe(big)
      expect(await store.getTaskInput(249)).toBe('["k249"]')
      expect(await store.getTaskInput(250)).toBeNull()
      await store.putTaskInput(['["x"]'])
      expect(await store.getTaskInput(0)).toBe('["x"]')
      expect(await store.getTaskInput(1)).toBeNull()
    })
  })
}
