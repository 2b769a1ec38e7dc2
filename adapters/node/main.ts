// `npm start` entry: reads .env when present, starts the gateway, and shuts down gracefully on
// SIGTERM/SIGINT; `migrate-keys` as the first argument runs that command instead. A bad environment stops the start with a message naming the variable.
import { existsSync } from 'node:fs'
import { ConfigError } from '../../src/config/env'
import { runMigrateKeys } from './migrate-keys'
import { startNodeGateway } from './server'

if (existsSync('.env')) process.loadEnvFile('.env')

try {
  if (process.argv[2] === 'migrate-keys') {
    process.exit(await runMigrateKeys(process.argv.slice(3), process.env, (s) => console.log(s)))
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
