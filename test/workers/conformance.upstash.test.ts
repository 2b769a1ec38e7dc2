// The conformance suite inside workerd on D1 and the key pool in Upstash (the Upstash-REST test
// server in front of the real Redis), as a deployment with Upstash bound runs.
import { testConformance } from '../conformance/suite'
import { workerdHarness } from './conformance-harness'

testConformance('workerd (D1, Upstash pool)', () => workerdHarness(true))
