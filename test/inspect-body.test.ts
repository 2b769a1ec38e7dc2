// The client body's model and stream flag: parsed when small, scanned when large.
import { describe } from 'vitest'
import { inspectBodyCases } from './inspect-body.cases'

describe('inspectBody', () => inspectBodyCases())
