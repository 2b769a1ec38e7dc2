// The Scheduler on Node: a plain timer that never keeps the process alive. It does not wait for
// a slow task: runDueJobs keeps each job single-flight itself, so the lease renewal and the config
// check go on while a long re-validation runs.
import type { Scheduler } from '../../src/deps'

export const createTimerScheduler = (): Scheduler => ({
  every(everyMs, task) {
    const timer = setInterval(() => void task().catch(() => {}), everyMs)
    timer.unref()
    return () => clearInterval(timer)
  },
})
