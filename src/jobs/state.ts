// What runDueJobs remembers between calls on one node: when each timed job last ran, and which
// jobs are running now (each runs single-flight).
export interface JobState {
  lastCheck: number
  lastFlush: number
  lastRetention: number
  running: Set<string>
}

export const createJobState = (): JobState => ({
  lastCheck: -Infinity,
  lastFlush: -Infinity,
  lastRetention: -Infinity,
  running: new Set(),
})
