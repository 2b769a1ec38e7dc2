// A database handle's close that runs once: the opener's error path and its owner may both call it.
export const closeOnce = (close: () => unknown): (() => Promise<void>) => {
  let closed = false
  return async () => {
    if (closed) return
    closed = true
    await close()
  }
}
