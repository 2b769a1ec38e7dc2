// inspectBody in workerd: the same cases as on Node.
import { describe } from 'vitest'
import { inspectBodyCases } from '../inspect-body.cases'

describe('inspectBody in workerd', () => inspectBodyCases())
