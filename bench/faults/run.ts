// Runs one scenario twice at once, edgeload's features on and v1 behaviour, each on its own
// gateway and fake upstreams, and turns each outcome into a row.
import { startRig } from './rig'
import type { Rig } from './rig'
import type { FaultRow, Mode, Outcome, Scenario } from './types'

const toRecovery = (r: Outcome['recovery']) => {
  if (r === null) return '–'
  if (r.ms === null) return `> ${(r.within / 1000).toFixed(1)} s`
  return `${(r.ms / 1000).toFixed(2)} s`
}

/**
 * Failed requests by status and gateway code, most first: `429 KEYS_COOLING×40, 0×2` (0: no
 * answer in time, or a reset).
 */
const toFailures = (out: Outcome) => {
  const by = new Map<string, number>()
  for (const x of out.shots) {
    const what = x.code ? `${x.status} ${x.code}` : String(x.status)
    if (!x.ok) by.set(what, (by.get(what) ?? 0) + 1)
  }
  return [...by]
    .sort((a, b) => b[1] - a[1])
    .map(([st, n]) => `${st}×${n}`)
    .join(', ')
}

const toRow = async (s: Scenario, rig: Rig, out: Outcome): Promise<FaultRow> => {
  const [usable, invalid] = await Promise.all([
    rig.usable(out.groupId, out.model),
    rig.invalid(out.groupId),
  ])
  const penalised = out.healthy.filter((k) => invalid.has(k) || !usable.has(k)).length
  const n = out.shots.length
  const absent = (s.needs ?? []).filter((k) => rig.missing.includes(k))
  return {
    scenario: s.title,
    mode: rig.mode,
    requests: n,
    successRate: n ? out.shots.filter((x) => x.ok).length / n : 0,
    attemptsPerRequest: n ? rig.attempts() / n : 0,
    penalised,
    healthy: out.healthy.length,
    recovery: toRecovery(out.recovery),
    truncatedBytes: out.shots.reduce((b, x) => b + x.truncatedBytes, 0),
    failures: toFailures(out),
    note: absent.length ? `feature not in this build (${absent.join(', ')})` : '',
  }
}

const runMode = async (s: Scenario, mode: Mode, quick: boolean) => {
  const rig = await startRig(mode, quick)
  try {
    return await toRow(s, rig, await s.run(rig))
  } finally {
    await rig.close()
  }
}

/** [features on, v1 behaviour]; both gateways run at the same time, so the run stays short. */
export const runScenario = (s: Scenario, quick: boolean): Promise<FaultRow[]> =>
  Promise.all([runMode(s, 'edgeload', quick), runMode(s, 'v1', quick)])
