// The fake upstream's behaviour per upstream key in the conformance suite. Node starts its fake
// with these in the test file; the workerd project's by test/helpers/workers-global-setup.ts.
import type { Behaviour } from '../helpers/fake-upstream'

export const CONFORMANCE_BEHAVIOURS: Record<string, Behaviour> = {
  // Refused: an invalid key.
  'sk-cf-bad': { status: 401 },
  // Rate limited for a minute.
  'sk-cf-429': { status: 429, headers: { 'retry-after': '60' } },
  // A long, slow stream (10 s): a client can leave in the middle of it, with time to spare for
  // the cancel to reach the upstream on a loaded machine.
  'sk-cf-slow': { events: 100, eventDelayMs: 100 },
}
