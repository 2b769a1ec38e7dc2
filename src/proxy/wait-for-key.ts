// `max_wait_for_key_ms`: when every key of a group is cooling and the first comes back soon, the
// request waits for it instead of answering 429. The wait is a timer: it holds no key, polls
// nothing, and ends early when the client goes away.
import type { Core } from '../core'
import type { ClientSignal } from '../deps'
import { sleep } from './sleep'

/** When the first of the groups' cooling keys is usable again for `model`; null when none cools. */
export const earliestReset = async (
  core: Core,
  groupIds: number[],
  model: string,
): Promise<number | null> => {
  const now = core.deps.now()
  let first: number | null = null
  for (const id of groupIds) {
    const at = await core.deps.pool.earliestReset(id, now, model)
    if (at !== null && (first === null || at < first)) first = at
  }
  return first
}

/**
 * Waits until the groups' first cooling key is back, when that is within what is left of
 * `budgetMs` and before `deadline`; returns the ms waited, or null when it did not wait.
 */
export const waitForCoolingKey = async (
  core: Core,
  groupIds: number[],
  model: string,
  budgetMs: number,
  deadline: number,
  signal: ClientSignal,
): Promise<number | null> => {
  if (budgetMs <= 0 || signal.aborted) return null
  const now = core.deps.now()
  const reset = await earliestReset(core, groupIds, model)
  if (reset === null || reset >= deadline) return null
  const ms = Math.max(reset - now, 0)
  if (ms > budgetMs) return null
  return (await sleep(ms, signal)) ? ms : null
}
