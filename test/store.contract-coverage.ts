// The contract's own check: every Store method must be called by some contract test. Each test's
// store is wrapped in a Proxy that records the methods called on it; the last test of the suite
// compares them with the methods a store really has, so a new Store method without a contract
// test fails the run.
import { expect, it, type RunnerTask, type RunnerTestCase } from 'vitest'
import type { Store } from '../src/store/types'

export interface MethodRecorder {
  /** The store as the tests see it: every method call is recorded by name. */
  wrap(store: Store): Store
  /** Registers the check; place it after every other test of the suite. */
  itCallsEveryMethod(): void
}

const testsIn = (task: RunnerTask): RunnerTestCase[] =>
  task.type === 'test' ? [task] : task.type === 'suite' ? task.tasks.flatMap(testsIn) : []

export function methodRecorder(): MethodRecorder {
  const called = new Set<string>()
  const methods = new Set<string>()

  const wrap = (store: Store): Store => {
    for (const [name, value] of Object.entries(store)) {
      if (typeof value === 'function') methods.add(name)
    }
    return new Proxy(store, {
      get(target, key, receiver) {
        const value: unknown = Reflect.get(target, key, receiver)
        if (typeof key !== 'string' || typeof value !== 'function') return value
        return (...args: unknown[]) => {
          called.add(key)
          return Reflect.apply(value, target, args)
        }
      },
    })
  }

  const itCallsEveryMethod = () =>
    // A rest parameter: Bun's runner (test/bun/) takes a test of one parameter for one with a
    // done callback. It hands no task context either; it runs the suite in file order.
    it('calls every Store method (runs last)', (...[ctx]) => {
      const task = ctx?.task
      const others = task ? testsIn(task.suite!).filter((t) => t !== task) : []
      if (task) {
        // Only this test was picked (a name filter or .only): there is nothing to judge.
        if (others.every((t) => t.mode !== 'run')) ctx.skip('no other contract test ran')
        // Should the order ever change (the suite pins it), fail rather than judge a partial run.
        const pending = others.filter((t) => t.mode === 'run' && !t.result?.state)
        expect(
          pending.map((t) => t.name),
          'contract tests that had not run yet',
        ).toEqual([])
        // A failed test may have stopped before its calls; the run fails on it already.
        if (others.some((t) => t.result?.state === 'fail')) ctx.skip('other contract tests failed')
      }
      expect(methods.size).toBeGreaterThan(0)
      const missing = [...methods].filter((m) => !called.has(m)).sort()
      // Strict on skipped tests too: a skipped test covers nothing, so it must not hide a gap.
      const skipped = others.filter((t) => t.mode !== 'run').length
      const why = skipped ? ` (${skipped} contract tests were skipped or filtered out)` : ''
      expect(missing, `Store methods no contract test calls${why}`).toEqual([])
      expect([...called].sort()).toEqual([...methods].sort())
    })

  return { wrap, itCallsEveryMethod }
}
