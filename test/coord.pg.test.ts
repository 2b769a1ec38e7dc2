// Runs the coordination contract on PostgreSQL, the Node gateway's coordination when
// DATABASE_DSN is one: a pool per node on a database created for this run, emptied per test.
import { sql } from 'drizzle-orm'
import { afterAll, describe, it } from 'vitest'
import { openPostgres, type PgHandle } from '../adapters/node/db-pg'
import { createSqlCoordination } from '../src/coord/sql'
import { pgDialect } from '../src/store/dialect-pg'
import { testCoordination } from './coord.contract'
import { freshPostgres, withPostgres } from './helpers/postgres'

const db = await freshPostgres()

withPostgres(db, describe, it, ({ url, drop }) => {
  afterAll(drop)

  testCoordination('PostgreSQL', async (now) => {
    const handles: PgHandle[] = []
    const first = await openPostgres(url, { max: 2 })
    handles.push(first)
    await first.db.execute(sql`truncate table coord_leases, coord_versions`)
    return {
      async open() {
        const h = await openPostgres(url, { max: 2 })
        handles.push(h)
        return createSqlCoordination(h.sqlDb, now, pgDialect)
      },
      close: async () => {
        await Promise.all(handles.map((h) => h.close()))
      },
    }
  })
})
