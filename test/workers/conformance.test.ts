// The conformance suite inside workerd on D1 and a per-isolate memory pool (no Upstash bound).
// The Node run is test/conformance.test.ts; the Upstash one conformance.upstash.test.ts.
import { testConformance } from '../conformance/suite'
import { workerdHarness } from './conformance-harness'

testConformance('workerd (D1, memory pool)', () => workerdHarness(false))
