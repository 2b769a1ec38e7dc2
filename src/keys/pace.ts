// Background bulk work (a 100k-key import) gives way to proxied traffic. While requests come in,
// the work's own time stays at most SHARE of the wall clock; an idle gateway runs it flat out.
// The budget is kept over the whole busy spell, not per slice, so a slice that ran long, a rest
// that woke late, or requests that queued while a synchronous slice held the event loop are all
// made up for (per-slice rests measured 0.6-0.8× idle throughput during an import; v1 has none).
// A tenth, not a fifth: the work also costs time outside its slices (garbage collection, the
// upload's parsing), and at a fifth proxied throughput fell to 0.6× in the benchmark.

/** The work's share of the event loop while traffic is present. */
const SHARE = 0.1
/** Traffic counts as present while a proxied request started or ended this recently. */
const BUSY_WINDOW_MS = 1000

export interface Pacer {
  /** Call after each slice of work with when it began; resolves when the next may start. */
  after(began: number): Promise<void>
}

export const createPacer = (
  now: () => number,
  lastTraffic: () => number,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Pacer => {
  let spellStart = 0
  let spellWork = 0
  return {
    async after(began) {
      const spent = now() - began
      // One turn first: requests that queued behind the slice start now, and are seen.
      await sleep(0)
      if (now() - lastTraffic() >= BUSY_WINDOW_MS) {
        spellStart = 0
        return
      }
      if (spellStart === 0) {
        spellStart = began
        spellWork = 0
      }
      spellWork += spent
      const wait = spellStart + spellWork / SHARE - now()
      if (wait > 0) await sleep(wait)
    },
  }
}
