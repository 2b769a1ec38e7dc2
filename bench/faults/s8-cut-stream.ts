// Scenario 8: on 3 keys of 10 the upstream drops the connection after 3 frames of the stream.
import { streamFault } from './stream-fault'

export const cutStream = streamFault(
  'cut-stream',
  '8. stream cut mid-answer on 3 keys of 10',
  ['first_byte_timeout', 'stream_idle_timeout'],
  () => ({ dropAfterEvents: 3 }),
)
