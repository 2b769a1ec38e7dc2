// The coordination contract on the real MariaDB / MySQL: a pool per node, as separate processes
// would have, over a fresh database per run (test/helpers/mysql.ts), emptied before each test.
import { afterAll, describe, it } from 'vitest'
import { openMysql, type MysqlHandle } from '../adapters/node/db-mysql'
import { createSqlCoordination } from '../src/coord/sql'
import { mysqlDialect } from '../src/store/dialect-mysql'
import { testCoordination } from './coord.contract'
import { createTestDatabase } from './helpers/mysql'

const testDb = await createTestDatabase()
afterAll(async () => {
  await testDb?.drop()
})

if (testDb) {
  testCoordination('MySQL', async (now) => {
    await testDb.truncate()
    const handles: MysqlHandle[] = []
    return {
      async open() {
        const h = await openMysql(testDb.target)
        handles.push(h)
        return createSqlCoordination(h.sqlDb, now, mysqlDialect)
      },
      close: async () => {
        await Promise.all(handles.map((h) => h.close()))
      },
    }
  })
} else {
  describe.skip('MySQL coordination (no server: see the message above)', () => {
    it('needs MariaDB or MySQL', () => {})
  })
}
