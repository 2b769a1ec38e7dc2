// Coordination on the Store's database: a lease is a row (name, owner, until), a counter a row
// (name, version). Each lease operation is one statement, and a bump one batch, so each is atomic
// across every node on the database, with no interactive transaction (D1 has none). What differs
// per database comes from the Store's Dialect. Nodes' clocks must roughly agree: an expiry is
// judged by the clock of whoever reads it.
import { and, eq, gt, lte, or, sql } from 'drizzle-orm'
import type { Dialect } from '../store/dialect'
import { sqliteDialect } from '../store/dialect-sqlite'
import { runBatch, type SqlDb } from '../store/sql-util'
import type { Coordination } from './types'

export const createSqlCoordination = (
  db: SqlDb,
  now: () => number = Date.now,
  dialect: Dialect = sqliteDialect,
): Coordination => {
  const { coordLeases, coordVersions } = dialect.t
  const held = (name: string, owner: string, t: number) =>
    and(eq(coordLeases.name, name), eq(coordLeases.owner, owner), gt(coordLeases.until, t))

  return {
    async acquire(name, owner, ttlMs) {
      if (!owner) throw new TypeError('acquire: owner must not be empty')
      const t = now()
      // Insert, or take over only a lease that has expired or is already ours: check and write
      // are one upsert, so two racing nodes cannot both see it free.
      const won = await dialect.upsert(
        db.insert(coordLeases).values({ name, owner, until: t + ttlMs }),
        {
          target: coordLeases.name,
          set: { owner, until: t + ttlMs },
          where: or(lte(coordLeases.until, t), eq(coordLeases.owner, owner)),
        },
      )
      // One row written when the insert or the update happened, none when the lease is taken.
      return dialect.changes(won) > 0
    },

    async renew(name, owner, ttlMs) {
      const t = now()
      const r = await db
        .update(coordLeases)
        .set({ until: t + ttlMs })
        .where(held(name, owner, t))
      return dialect.changes(r) > 0
    },

    async release(name, owner) {
      const r = await db.delete(coordLeases).where(held(name, owner, now()))
      return dialect.changes(r) > 0
    },

    async holder(name) {
      const [row] = await db
        .select({ owner: coordLeases.owner, until: coordLeases.until })
        .from(coordLeases)
        .where(and(eq(coordLeases.name, name), gt(coordLeases.until, now())))
      return row ?? null
    },

    async version(name) {
      const [row] = await db
        .select({ version: coordVersions.version })
        .from(coordVersions)
        .where(eq(coordVersions.name, name))
      return row?.version ?? 0
    },

    async bump(name) {
      // The upsert holds the row's write lock until the batch commits, so the read that follows
      // sees this bump and no later one.
      const [, rows] = await runBatch(db, (q) => [
        dialect.upsert(q.insert(coordVersions).values({ name, version: 1 }), {
          target: coordVersions.name,
          set: { version: sql`${coordVersions.version} + 1` },
        }),
        q
          .select({ version: coordVersions.version })
          .from(coordVersions)
          .where(eq(coordVersions.name, name)),
      ])
      return (rows as { version: number }[])[0].version
    },
  }
}
