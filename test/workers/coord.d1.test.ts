// The coordination contract on D1 inside workerd: the same SQL as on Node, through drizzle/d1.
// Storage is isolated per file, not per test, so each test starts by emptying the two tables.
import { env } from 'cloudflare:workers'
import { drizzle } from 'drizzle-orm/d1'
import { createSqlCoordination } from '../../src/coord/sql'
import * as schema from '../../src/store/schema.sqlite'
import { testCoordination } from '../coord.contract'

testCoordination('D1', async (now) => {
  const db = drizzle(env.DB, { schema })
  await db.delete(schema.coordLeases)
  await db.delete(schema.coordVersions)
  return { open: async () => createSqlCoordination(db, now), close: async () => {} }
})
