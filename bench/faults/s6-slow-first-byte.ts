// Scenario 6: 3 keys of 10 send a stream's headers at once and its first event 20 s late
// (--quick: 6 s), past first_byte_timeout and past the client's own patience (6 s; --quick: 3 s).
import { scaled } from './load'
import { streamFault } from './stream-fault'

export const slowFirstByte = streamFault(
  'slow-first-byte',
  '6. slow first byte on 3 keys of 10 (stream)',
  ['first_byte_timeout'],
  (rig) => ({ firstFrameDelayMs: scaled(rig, 20_000, 6000) }),
  [7000, 4000],
)
