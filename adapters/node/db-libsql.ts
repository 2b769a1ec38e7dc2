// Remote libSQL (Turso, sqld) over HTTP through @libsql/client: the SQLite schema, migrations and
// Store, with no file, PRAGMAs or second connection. Requests are asynchronous here, so nothing
// blocks the event loop the way a locked local file does.
import { createClient } from '@libsql/client'
import { createSqlStore } from '../../src/store/sql'
import { migrateSqlite, type SqliteHandle } from './db'
import { describeTarget, DsnError, type DbTarget } from './dsn'
import type { GateOptions } from './schema-gate'
import { closeOnce } from './close-once'

type LibsqlTarget = Extract<DbTarget, { kind: 'libsql' }>

/** Fails fast, naming the server without its token, when it cannot be reached or refuses us. */
const reach = async (client: ReturnType<typeof createClient>, target: LibsqlTarget) => {
  try {
    await client.execute('select 1')
  } catch (err) {
    // The client may quote the URL: hide its user info and the token wherever they appear.
    const why = String((err as Error).message ?? err)
      .replace(/\/\/[^/@\s]*@/g, '//***@')
      .replaceAll(target.authToken || '\0', '***')
    throw new DsnError(`DATABASE_DSN: cannot use ${describeTarget(target)}: ${why}`)
  }
}

export const openLibsqlRemote = async (
  target: LibsqlTarget,
  gate: GateOptions = { mayMigrate: true },
): Promise<SqliteHandle> => {
  const client = createClient({ url: target.url, authToken: target.authToken })
  const close = closeOnce(() => client.close())
  try {
    await reach(client, target)
    const { db, repairs } = await migrateSqlite(client, gate)
    return { db, store: createSqlStore(db, { close }), close, repairs }
  } catch (err) {
    await close()
    throw err
  }
}
