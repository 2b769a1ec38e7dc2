// The fault scenarios in the order the table lists them.
import { staggered429 } from './s1-staggered-429'
import { revokedKey } from './s2-revoked-key'
import { dailyQuota } from './s3-daily-quota'
import { egressThrottle, egressThrottleAlone } from './s4-egress-throttle'
import { flapping } from './s5-flapping'
import { slowFirstByte } from './s6-slow-first-byte'
import { stalledStream } from './s7-stalled-stream'
import { cutStream } from './s8-cut-stream'
import type { Scenario } from './types'

export const SCENARIOS: Scenario[] = [
  staggered429,
  revokedKey,
  dailyQuota,
  egressThrottle,
  egressThrottleAlone,
  flapping,
  slowFirstByte,
  stalledStream,
  cutStream,
]
