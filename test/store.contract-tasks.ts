// Store contract, task status part: the shared key-task row. The lock itself is a coordination
// lease (test/coord.contract.ts); here `owner` fences the writes: the last starter alone writes.
import { beforeEach, describe, expect, it } from 'vitest'
import type { Store, TaskStatus } from '../src/store/types'

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
      expect(await store.getTaskState()).toEqual({ owner: 'a', status: running() })
      expect(await store.saveTaskStatus('b', running(7))).toBe(false)
      expect(await store.saveTaskStatus('a', running(4))).toBe(true)
      expect(await store.getTaskState()).toEqual({ owner: 'a', status: running(4) })
    })

    it('fences the previous owner out once another task starts', async () => {
      await store.startTask('a', running(3))
      await store.startTask('b', running(1))
      expect(await store.saveTaskStatus('a', { ...running(9), is_running: false })).toBe(false)
      expect(await store.getTaskState()).toEqual({ owner: 'b', status: running(1) })
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
      expect(state).toEqual({ owner: 'a', status: done })
      expect(state?.status?.finished_at).toBe('2025-01-15T10:00:01.624Z')
    })

    it('rejects an empty owner', async () => {
      await expect(store.startTask('', running())).rejects.toThrow(/owner/)
    })
  })
}
