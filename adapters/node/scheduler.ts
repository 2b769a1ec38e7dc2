// The Scheduler on Node: plain timers that never keep the process alive and never overlap.
import type { Scheduler } from '../../src/deps'

export const createTimerScheduler = (): Scheduler => ({
  every(everyMs, task) {
    let running = false
    const timer = setInterval(async () => {
      if (running) return
      running = true
      try {
        await task()
      } finally {
        running = false
      }
    }, everyMs)
    timer.unref()
    return () => clearInterval(timer)
  },
})
