// Scenario 7: on 3 keys of 10 the stream stops after its first event for 20 s (--quick: 6 s),
// past stream_idle_timeout and the client's patience.
import { scaled } from './load'
import { streamFault } from './stream-fault'

export const stalledStream = streamFault(
  'stalled-stream',
  '7. stream stalls mid-answer on 3 keys of 10',
  ['stream_idle_timeout'],
  (rig) => ({ eventDelayMs: scaled(rig, 20_000, 6000) }),
  [7000, 4000],
)
