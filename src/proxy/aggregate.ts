// The attempt loop of an aggregate group (reference §1.5, §4.5; issue 11 §6): members are tried
// by priority, highest first; within one priority by smooth WRR, a member not yet tried first,
// each member up to `member_max_attempts` times on keys it has not tried. Unlike v1 (§8.1 #4)
// a failure moves on to another member while one is left. member-choice.ts picks the member.
import type { AggregateMember, GroupEntry } from '../config/cache'
import type { Core } from '../core'
import type { RequestLog } from '../store/types'
import { attempt, type Failure, type ForwardRequest } from './attempt'
import { finalAnswer } from './forward'
import { createMemberChoice } from './member-choice'
import { waitForCoolingKey } from './wait-for-key'
import { prepareRequest, type ClientRequest } from './prepare'
import { sleep } from './sleep'

export const forwardAggregate = async (
  core: Core,
  agg: GroupEntry,
  client: ClientRequest,
): Promise<Response> => {
  const { deps } = core
  const choice = createMemberChoice(agg.aggregate?.tiers ?? [], agg.settings.member_max_attempts)
  // Members found without a usable key: asked about cooling keys when nothing was tried.
  const empty = new Set<number>()
  const keysTried = new Map<number, Set<number>>()
  const prepared = new Map<number, ForwardRequest>()
  const max = agg.settings.max_retries
  // The aggregate's request_timeout bounds every member's attempts, and waits, together.
  const deadline = deps.now() + agg.settings.request_timeout * 1000
  let last: Failure | null = null
  let waitLeft = agg.settings.max_wait_for_key_ms
  // Members share the channel type, so the model (Gemini's is in the path) is the same for all.
  const modelOf = () => prepared.values().next().value?.model ?? client.info.model
  /** Members dropped for having no usable key: they come back after a wait for a cooling key. */
  const keyless: AggregateMember[] = []
  // The last failure's row waits: whether another attempt follows is known only afterwards, and
  // the last one must say `final` (the hourly stats count final rows).
  let pending: RequestLog | null = null
  const logPending = (type: 'retry' | 'final') => {
    if (!pending) return
    core.logs.push({ ...pending, request_type: type })
    pending = null
  }

  for (let i = 0; i <= max;) {
    const now = deps.now()
    const next = choice.next(now)
    if (!next) {
      // Every member without a usable key, some cooling: wait for the first key back when soon.
      if (last !== null || empty.size === 0) break
      const gids = [...empty]
      const waited = await waitForCoolingKey(
        core,
        gids,
        modelOf(),
        waitLeft,
        deadline,
        client.signal,
      )
      if (waited === null) break
      waitLeft -= Math.max(waited, 1)
      empty.clear()
      for (const m of keyless.splice(0)) choice.revive(m)
      continue
    }
    const { member, at } = next
    const id = member.entry.group.id
    if (at > now) {
      // A Retry-After past the deadline cannot be waited out: that member is over.
      if (at >= deadline) {
        choice.drop(member)
        continue
      }
      if (!(await sleep(at - now, client.signal))) break
    }
    let req = prepared.get(id)
    if (!req) {
      req = { ...prepareRequest(core, member.entry, client, agg.group), rules: member.rules }
      prepared.set(id, req)
    }
    let tried = keysTried.get(id)
    if (!tried) keysTried.set(id, (tried = new Set()))
    const type = i === max ? 'final' : 'retry'
    const freshOnly = !choice.mayReuse(member)
    const r = await attempt(core, req, tried, type, deadline, { freshOnly, deferLog: true })
    // No key left there: move on without spending an attempt.
    if (!r) {
      choice.drop(member)
      keyless.push(member)
      empty.add(id)
      continue
    }
    // A failed probe of an invalid key costs no attempt, and the client never sees it.
    if ('failure' in r && r.probe) {
      if (r.failure.row) core.logs.push(r.failure.row)
      continue
    }
    // Every route of the member has an open circuit: another member may serve.
    if ('failure' in r && r.blocked) {
      choice.drop(member)
      last = r.failure
      continue
    }
    i++
    logPending('retry')
    if ('response' in r) return r.response
    last = r.failure
    pending = r.failure.row ?? null
    if (r.last) break
    choice.failed(member, r.failure, deps.now())
  }
  logPending('final')
  const model = modelOf()
  const info = { ...client, entry: agg, key: null, model, isStream: false, startedAt: deps.now() }
  return finalAnswer(core, info, last, 'No available sub-groups', [...empty])
}
