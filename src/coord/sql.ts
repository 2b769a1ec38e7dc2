// Coordination on the Store's database: a lease is a row (name, owner, until), a counter a row
// (name, version). Each operation is one statement, so it is atomic across every node on the
// database, with no interactive transaction (D1 has none). Nodes' clocks must roughly agree: an
// expiry is judged by the clock of whoever reads it.
import { and, eq, gt, lte, or, sql } from 'drizzle-orm'
import { coordLeases, coordVersions } from '../store/schema.sqlite'
import type { SqlDb } from '../store/sql-util'
import type { Coordination } from './types'

export const createSqlCoordination = (db: SqlDb, now: () => number = Date.now): Coordination => {
  const held = (name: string, owner: string, t: number) =>
    and(eq(coordLeases.name, name), eq(coordLeases.owner, owner), gt(coordLeases.until, t))

  return {
    async acquire(name, owner, ttlMs) {
      if (!owner) throw new TypeError('acquire: owner must not be empty')
      const t = now()
      // Insert, or take over only a lease that has expired or is already ours: check and write
      // are one upsert, so two racing nodes cannot both see it free. RETURNING yields a row only
      // when the insert or the update happened.
      const won = await db
        .insert(coordLeases)
        .values({ name, owner, until: t + ttlMs })
        .onConflictDoUpdate({
          target: coordLeases.name,
          set: { owner, until: t + ttlMs },
          setWhere: or(lte(coordLeases.until, t), eq(coordLeases.owner, owner)),
        })
        .returning({ name: coordLeases.name })
      return won.length > 0
    },

    async renew(name, owner, ttlMs) {
      const t = now()
      const rows = await db
        .update(coordLeases)
        .set({ until: t + ttlMs })
        .where(held(name, owner, t))
        .returning({ name: coordLeases.name })
      return rows.length > 0
    },

    async release(name, owner) {
      const rows = await db
        .delete(coordLeases)
        .where(held(name, owner, now()))
        .returning({ name: coordLeases.name })
      return rows.length > 0
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
      const [row] = await db
        .insert(coordVersions)
        .values({ name, version: 1 })
        .onConflictDoUpdate({
          target: coordVersions.name,
          set: { version: sql`${coordVersions.version} + 1` },
        })
        .returning({ version: coordVersions.version })
      return row.version
    },
  }
}
