// A timer that ends early when the client goes away: the request's waits hold nothing else.
import type { ClientSignal } from '../deps'

/** Resolves after `ms`, or at once when `signal` aborts; true when the full time passed. */
export const sleep = (ms: number, signal: ClientSignal): Promise<boolean> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve(false)
    const done = () => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve(!signal.aborted)
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
  })
