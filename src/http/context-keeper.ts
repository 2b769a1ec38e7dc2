// Holds the latest request's Context. On Node 20 (V8 11.3), once every Context of a process has
// died in an idle spell, a full collection drops the hidden classes Hono's Context fields were
// built on, and from then on each new Context's field definitions miss their inline cache and run
// through the runtime, for the rest of the process's life: 3.1–3.5% of a chat's CPU under perf
// (Runtime_DefineNamedOwnIC_Miss) after 40 s idle, in 7 runs of 7. With one Context held, the
// classes stay: 0 runs of 5 had the misses. It costs one request's objects at rest.
import type { Context } from 'hono'

export interface ContextKeeper {
  hold(c: Context): void
  /** The Context held now (for tests). */
  held(): Context | null
}

export const createContextKeeper = (): ContextKeeper => {
  let latest: Context | null = null
  return {
    hold: (c) => {
      latest = c
    },
    held: () => latest,
  }
}
