// Bounded waits for tests: every wait here gives up after its limit, so none can hang a run.

/** What a wait was for; a function is read only on timeout, so it can show output so far. */
export type WaitLabel = string | (() => string)

const timedOut = (ms: number, what: WaitLabel) =>
  new Error(`timed out after ${ms} ms: ${typeof what === 'function' ? what() : what}`)

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** Rejects when `p` takes longer than `ms`. */
export const within = <T>(p: Promise<T>, ms: number, what: WaitLabel): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(timedOut(ms, what)), ms)
    p.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e) => (clearTimeout(timer), reject(e)),
    )
  })

/** Retries `check` until it stops throwing; past `ms`, its last error is thrown. */
export const eventually = async <T>(check: () => Promise<T>, ms = 3000, every = 50): Promise<T> => {
  const end = Date.now() + ms
  for (;;) {
    try {
      return await check()
    } catch (err) {
      if (Date.now() > end) throw err
      await sleep(every)
    }
  }
}

/** Polls until `check` holds; past `ms`, throws naming `what`. */
export const until = (check: () => boolean | Promise<boolean>, ms: number, what: WaitLabel) =>
  eventually(
    async () => {
      if (!(await check())) throw timedOut(ms, what)
    },
    ms,
    10,
  )
