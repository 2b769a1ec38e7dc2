// `npm start` entry: reads .env when present, starts the gateway, and shuts down gracefully on
// SIGTERM/SIGINT. `migrate-keys` as the first argument runs that command instead, and `migrate`
// only brings DATABASE_DSN's schema up (a libSQL database that Workers use, say). A bad
// environment stops the start with a message naming the variable.
import { existsSync } from 'node:fs'
import { ConfigError, parseEnv } from '../../src/config/env'
import { openDatabase } from './database'
import { runMigrateKeys } from './migrate-keys'
import { startNodeGateway } from './server'

if (existsSync('.env')) process.loadEnvFile('.env')

try {
  if (process.argv[2] === 'migrate-keys') {
    process.exit(await runMigrateKeys(process.argv.slice(3), process.env, (s) => console.log(s)))
  }
  if (process.argv[2] === 'migrate') {
    const db = await openDatabase(parseEnv(process.env).DATABASE_DSN, process.env)
    console.log(`${db.name}: the schema is current`)
    await db.close()
    process.exit(0)
  }
  const gw = await startNodeGateway(process.env)
  const stop = () => {
    gw.shutdown().then(
      () => process.exit(0),
      (err) => {
        console.error('shutdown failed:', err)
        process.exit(1)
      },
    )
  }
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message)
    process.exit(2)
  }
  throw err
}
