// The attempt loop of an aggregate group (reference §1.5, §4.5): each attempt picks a member by
// smooth WRR and runs one attempt there with the member's settings, channel and rules. Unlike v1
// (§8.1 #4) a failure moves on to a member not yet tried while one is left.
import type { GroupEntry } from '../config/cache'
import type { Core } from '../core'
import { attempt, type Failure } from './attempt'
import type { ForwardRequest } from './attempt'
import { finalAnswer } from './forward'
import { waitForCoolingKey } from './wait-for-key'
import { prepareRequest, type ClientRequest } from './prepare'

export const forwardAggregate = async (
  core: Core,
  agg: GroupEntry,
  client: ClientRequest,
): Promise<Response> => {
  const members = agg.aggregate?.members ?? []
  const picker = agg.aggregate?.picker
  // Members found without a usable key, and members already tried in this request.
  const empty = new Set<number>()
  const used = new Set<number>()
  const keysTried = new Map<number, Set<number>>()
  const prepared = new Map<number, ForwardRequest>()
  const hasUntried = () =>
    members.some((m) => m.weight > 0 && !used.has(m.entry.group.id) && !empty.has(m.entry.group.id))
  const max = agg.settings.max_retries
  // The aggregate's request_timeout bounds every member's attempts together.
  const deadline = core.deps.now() + agg.settings.request_timeout * 1000
  let last: Failure | null = null
  let waitLeft = agg.settings.max_wait_for_key_ms
  // Members share the channel type, so the model (Gemini's is in the path) is the same for all.
  const modelOf = () => prepared.values().next().value?.model ?? client.info.model

  for (let i = 0; i <= max && picker;) {
    const fresh = hasUntried()
    const member = picker.next((m) => empty.has(m.group.id) || (fresh && used.has(m.group.id)))
    if (!member) {
      // Every member without a usable key, some cooling: wait for the first key back when soon.
      if (last !== null || empty.size === 0) break
      const model = modelOf()
      const waited = await waitForCoolingKey(
        core,
        [...empty],
        model,
        waitLeft,
        deadline,
        client.signal,
      )
      if (waited === null) break
      waitLeft -= Math.max(waited, 1)
      empty.clear()
      continue
    }
    const id = member.group.id
    let req = prepared.get(id)
    if (!req) prepared.set(id, (req = prepareRequest(core, member, client, agg.group)))
    let tried = keysTried.get(id)
    if (!tried) keysTried.set(id, (tried = new Set()))
    const r = await attempt(core, req, tried, i === max ? 'final' : 'retry', deadline)
    // No key left there: pick again without spending an attempt.
    if (!r) {
      empty.add(id)
      continue
    }
    // A failed probe of an invalid key costs no attempt, and the client never sees it.
    if ('probe' in r && r.probe) continue
    // Every route of the member has an open circuit: another member may serve.
    if ('blocked' in r && r.blocked) {
      empty.add(id)
      last = r.failure
      continue
    }
    used.add(id)
    i++
    if ('response' in r) return r.response
    last = r.failure
    if (r.last) break
  }
  const { deps } = core
  const model = modelOf()
  const info = { ...client, entry: agg, key: null, model, isStream: false, startedAt: deps.now() }
  return finalAnswer(core, info, last, 'No available sub-groups', [...empty])
}
