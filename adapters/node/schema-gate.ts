// Whether this node may run against the database's schema, and who migrates it. drizzle records
// each applied migration with its journal time (`created_at` = the journal entry's `when`):
// - a database with a migration newer than this build's newest is refused: older code could
//   corrupt what a newer schema means;
// - a master applies what is pending, one at a time across the cluster when a lock is given;
// - a slave never migrates: it waits, saying why, until a master has brought the schema up.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ConfigError } from '../../src/config/env'
import type { Logger } from '../../src/logger'

export interface MigrationTarget {
  /** The journal times of the migrations applied, [] on an empty database. */
  applied(): Promise<number[]>
  /** Applies what is pending (drizzle's migrator). */
  migrate(): Promise<void>
}

export interface SchemaGateOptions {
  /** False on a slave. */
  mayMigrate: boolean
  log: Logger
  /** Serialises migrating masters (a cluster lease); absent: none needed (one master). */
  lock?: <T>(work: () => Promise<T>) => Promise<T>
  /** How often a waiting slave looks again. */
  pollMs?: number
}

/** What an opener takes: a logger is optional (tests, migrate-keys). */
export type GateOptions = Omit<SchemaGateOptions, 'log'> & { log?: Logger }

/** The journal times of a migrations folder, oldest first. */
export const journalTimes = (folder: string): number[] => {
  const journal = JSON.parse(readFileSync(join(folder, 'meta/_journal.json'), 'utf8')) as {
    entries: Array<{ when: number }>
  }
  return journal.entries.map((e) => e.when)
}

const WAIT_LOG_EVERY_MS = 10_000

const stamp = (ms: number) => new Date(ms).toISOString()

export interface GateResult {
  /** This process migrated a database that had no migration applied: nothing older wrote it. */
  created: boolean
}

/** Resolves once the schema is current; throws ConfigError when it is newer than this build. */
export const gateSchema = async (
  target: MigrationTarget,
  /** This build's migrations' journal times, oldest first. */
  known: number[],
  opts: SchemaGateOptions,
): Promise<GateResult> => {
  const newest = known[known.length - 1] ?? 0
  const status = async () => {
    const applied = await target.applied()
    const latest = applied.length > 0 ? Math.max(...applied) : 0
    if (latest > newest) {
      throw new ConfigError(
        `DATABASE_DSN: the database schema is newer than this edgeload (a migration from ` +
          `${stamp(latest)} is applied; this build knows up to ${stamp(newest)}). Run the ` +
          `edgeload version that migrated it, or a newer one.`,
      )
    }
    // drizzle applies every migration newer than the latest applied one.
    return { pending: known.filter((w) => w > latest).length, applied: applied.length }
  }
  let s = await status()
  if (s.pending === 0) return { created: false }
  if (opts.mayMigrate) {
    const run = async (): Promise<GateResult> => {
      // Another master may have migrated while this one waited for the lock.
      const now = opts.lock ? await status() : s
      if (now.pending > 0) await target.migrate()
      return { created: now.pending > 0 && now.applied === 0 }
    }
    return opts.lock ? opts.lock(run) : run()
  }
  let loggedAt = -Infinity
  while (s.pending > 0) {
    if (Date.now() - loggedAt >= WAIT_LOG_EVERY_MS) {
      loggedAt = Date.now()
      opts.log(
        'warn',
        `waiting for a master to migrate the database: ${s.pending} of ${known.length} ` +
          'migrations pending, and a slave (IS_SLAVE=true) never migrates',
      )
    }
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 1000))
    s = await status()
  }
  opts.log('info', 'the database schema is current; starting')
  return { created: false }
}
