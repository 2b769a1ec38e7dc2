// The command line of `npm start` and of the Bun binary: reads .env when present, then
// `migrate-keys` runs that command, `migrate` only brings DATABASE_DSN's schema up (a libSQL
// database that Workers use, say), and anything else starts the gateway, which shuts down
// gracefully on SIGTERM/SIGINT. A bad environment stops the start with a message naming the
// variable (exit 2).
import { existsSync } from 'node:fs'
import { ConfigError, parseEnv } from '../../src/config/env'
import { runMigrateKeys } from './migrate-keys'
import type { OpenDatabase } from './open-database'

export interface CliRuntime {
  openDatabase: OpenDatabase
  start(raw: Record<string, string | undefined>): Promise<{ shutdown(): Promise<void> }>
  /** How usage lines name the program (`npm run migrate-keys --`, `edgeload migrate-keys`). */
  migrateKeysCommand?: string
}

export const runCli = async (args: string[], rt: CliRuntime): Promise<void> => {
  if (existsSync('.env')) process.loadEnvFile('.env')
  try {
    if (args[0] === 'migrate-keys') {
      const print = (s: string) => console.log(s)
      const runtime = { openDatabase: rt.openDatabase, command: rt.migrateKeysCommand }
      process.exit(await runMigrateKeys(args.slice(1), process.env, print, runtime))
    }
    if (args[0] === 'migrate') {
      const db = await rt.openDatabase(parseEnv(process.env).DATABASE_DSN, process.env)
      console.log(`${db.name}: the schema is current`)
      await db.close()
      process.exit(0)
    }
    const gw = await rt.start(process.env)
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
}
