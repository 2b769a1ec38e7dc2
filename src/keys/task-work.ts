// One chunk of a key task's work, by kind: import or delete one stored input part, or validate
// one page of keys after the cursor. A chunk redone after a crash is harmless: an import skips
// keys the group has, a delete of deleted keys deletes nothing, a validation checks again.
import type { Core } from '../core'
import { notFound } from '../errors'
import type { TaskJob } from '../store/types'
import { checkKey } from './check'
import { forEachLimit } from './validate'

/** Keys per input part: one task_input row, one import or delete chunk (v1: 500 and 1000). */
export const TASK_PART_KEYS = 1000
/** Keys per validation chunk: small, so a chunk ends well within a Workers budget. */
export const VALIDATE_CHUNK = 100

export interface ChunkHooks {
  /** True once the drive must stop: a validation then checks no further keys of its chunk. */
  stopped(): boolean
  /** Items done within the current chunk (validation), for the live progress. */
  progress(inChunk: number): void
}

export interface ChunkResult {
  job: TaskJob
  done: boolean
  /** Whether keys were added or deleted (other nodes' pools must reload). */
  changed: boolean
}

/** Items processed so far, from the counts saved with the cursor. */
export const processedOf = (job: TaskJob): number =>
  job.kind === 'KEY_VALIDATION'
    ? (job.counts.total_keys ?? 0)
    : (job.counts[job.kind === 'KEY_IMPORT' ? 'added_count' : 'deleted_count'] ?? 0) +
      (job.counts.ignored_count ?? 0)

/** The keys of an import or delete as stored input parts of JSON arrays. */
export const toInputParts = (keys: string[]): string[] => {
  const parts: string[] = []
  for (let i = 0; i < keys.length; i += TASK_PART_KEYS) {
    parts.push(JSON.stringify(keys.slice(i, i + TASK_PART_KEYS)))
  }
  return parts
}

const keysChunk = async (core: Core, job: TaskJob): Promise<ChunkResult> => {
  if (job.cursor >= job.parts) return { job, done: true, changed: false }
  const part = await core.deps.store.getTaskInput(job.cursor)
  if (part === null) throw new Error(`task input part ${job.cursor} is missing`)
  const keys = JSON.parse(part) as string[]
  const add = job.kind === 'KEY_IMPORT'
  const { count } = await (add ? core.keys.add : core.keys.delete)(job.group_id, keys)
  const name = add ? 'added_count' : 'deleted_count'
  const counts = {
    [name]: (job.counts[name] ?? 0) + count,
    ignored_count: (job.counts.ignored_count ?? 0) + keys.length - count,
  }
  const cursor = job.cursor + 1
  return { job: { ...job, cursor, counts }, done: cursor >= job.parts, changed: count > 0 }
}

const validateChunk = async (core: Core, job: TaskJob, hooks: ChunkHooks): Promise<ChunkResult> => {
  // A node resuming the task may not have loaded a group created a moment ago.
  const entry =
    core.cache.byId(job.group_id) ?? (await core.sync.check(), core.cache.byId(job.group_id))
  if (!entry) throw notFound(`Group ${job.group_id} not found`)
  // Pending health writes first, so the statuses read back are current.
  if (job.cursor === 0) await core.keys.flush()
  const page = await core.deps.store.loadKeys(
    job.group_id,
    job.cursor,
    VALIDATE_CHUNK,
    job.status_filter,
  )
  // Disabled keys are never validated: they are off until turned on by hand.
  const enabled = await core.keys.openRows(page.filter((r) => r.enabled !== false))
  // Per key: undefined until checked, then whether it was valid.
  const results: Array<boolean | undefined> = []
  let checked = 0
  await forEachLimit(
    enabled.map((row, i) => ({ row, i })),
    entry.settings.key_validation_concurrency,
    async ({ row, i }) => {
      if (hooks.stopped()) return
      const needsRestore = row.status !== 'active' || row.failure_count > 0
      results[i] = (await checkKey(core, entry, { ...row, needsRestore })).ok
      hooks.progress(++checked)
    },
  )
  // Stopped part way (shutdown, budget): keys start in id order and those started finish, so the
  // cursor moves past the checked prefix and the rest is left for whoever continues.
  let done = 0
  while (done < enabled.length && results[done] !== undefined) done++
  const valid = results.slice(0, done).filter(Boolean).length
  const c = job.counts
  const counts = {
    total_keys: (c.total_keys ?? 0) + done,
    valid_keys: (c.valid_keys ?? 0) + valid,
    invalid_keys: (c.invalid_keys ?? 0) + done - valid,
  }
  if (done < enabled.length) {
    const cursor = done > 0 ? enabled[done - 1]!.id : job.cursor
    return { job: { ...job, cursor, counts }, done: false, changed: false }
  }
  const cursor = page.length ? page[page.length - 1]!.id : job.cursor
  return { job: { ...job, cursor, counts }, done: page.length < VALIDATE_CHUNK, changed: false }
}

/** Runs the job's next chunk and returns the job advanced past it. */
export const runChunk = (core: Core, job: TaskJob, hooks: ChunkHooks): Promise<ChunkResult> =>
  job.kind === 'KEY_VALIDATION' ? validateChunk(core, job, hooks) : keysChunk(core, job)
