// The shapes shared by the fault bench: a scenario, what it returns, and the row it becomes.
import type { Shot } from './client'
import type { Rig } from './rig'

export type Mode = 'edgeload' | 'v1'

export interface Outcome {
  shots: Shot[]
  groupId: number
  /** The model the scenario's requests ask for: key usability is per model. */
  model: string
  /** Keys the upstream would serve at the end (never broken, or healed by then). */
  healthy: string[]
  /** ms from the fault's end to recovery; null ms: not within `within` ms; null: meaningless. */
  recovery: { ms: number | null; within: number } | null
}

export interface Scenario {
  id: string
  title: string
  /** Settings the scenario is about; absent from the build, its row says so. */
  needs?: string[]
  run(rig: Rig): Promise<Outcome>
}

export interface FaultRow {
  scenario: string
  mode: Mode
  requests: number
  /** Share of client requests that got a 2xx with a complete answer, 0–1. */
  successRate: number
  attemptsPerRequest: number
  penalised: number
  healthy: number
  /** `1.20 s`, `> 4.0 s` (not within the run) or `–`. */
  recovery: string
  truncatedBytes: number
  /** Failed client requests by status. */
  failures: string
  note: string
}
