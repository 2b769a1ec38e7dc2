// The Workers database: D1 through drizzle-orm/d1, or remote libSQL through @libsql/client/web
// when LIBSQL_URL is set. Both take the SQLite schema; `wrangler d1 migrations apply` migrates
// D1, and a libSQL database is migrated from Node (see the README's Workers section).
import { createClient } from '@libsql/client/web'
import { drizzle as d1 } from 'drizzle-orm/d1'
import { drizzle as libsql } from 'drizzle-orm/libsql/web'
import { ConfigError } from '../../src/config/env'
import { createSqlCoordination } from '../../src/coord/sql'
import type { Coordination } from '../../src/coord/types'
import * as schema from '../../src/store/schema.sqlite'
import { createSqlStore, type SqlDb } from '../../src/store/sql'
import type { Store } from '../../src/store/types'
import type { WorkersEnv } from './bindings'

export interface WorkersStorage {
  db: SqlDb
  store: Store
  /** Coordination on the database: used when no Upstash is bound. */
  coord: Coordination
  /** For messages: which database this is. */
  name: string
}

export const openStorage = (env: WorkersEnv): WorkersStorage => {
  let db: SqlDb
  let name: string
  if (env.LIBSQL_URL) {
    const client = createClient({ url: env.LIBSQL_URL, authToken: env.LIBSQL_AUTH_TOKEN })
    db = libsql(client, { schema }) as unknown as SqlDb
    name = `libSQL ${new URL(env.LIBSQL_URL.replace(/^libsql:/, 'https:')).host}`
  } else if (env.DB) {
    db = d1(env.DB, { schema }) as unknown as SqlDb
    name = 'D1'
  } else {
    throw new ConfigError(
      'Invalid environment:\n  DB: bind a D1 database (wrangler.toml) or set LIBSQL_URL',
    )
  }
  return { db, store: createSqlStore(db), coord: createSqlCoordination(db), name }
}
