// `npm start` entry: reads .env when present, starts the gateway, and shuts down gracefully on
// SIGTERM/SIGINT. A bad environment stops the start with a message naming the variable.
import { existsSync } from 'node:fs'
import { ConfigError } from '../../src/config'
import { startNodeGateway } from './server'

if (existsSync('.env')) process.loadEnvFile('.env')

try {
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
