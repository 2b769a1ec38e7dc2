// The Bun binary's program: `--help`, `--version` (a compiled binary does not answer them by
// itself), and otherwise the command line `npm start` has (../node/cli.ts) over the Bun
// adapter. build.mjs writes the entry that calls runBinary with what it embeds.
import { runCli } from '../node/cli'
import { bunDatabaseOpener } from './database'
import type { Embedded } from './embedded'
import { startBunGateway } from './server'

const HELP = `edgeload: a transparent, fast AI API gateway

usage:
  edgeload                 start the gateway (http://0.0.0.0:3001; admin console at /)
  edgeload migrate         bring DATABASE_DSN's schema up, then exit
  edgeload migrate-keys [--from <old ENCRYPTION_KEY>] [--to <new ENCRYPTION_KEY>] [--batch <1-100>]
                           encrypt, decrypt or re-key the stored upstream keys (gateway stopped)
  edgeload --version       print the version
  edgeload --help          print this help

Configuration comes from the environment, and from ./.env when present, as for npm start:
  PORT=3001  HOST=0.0.0.0  DATABASE_DSN=./data/edgeload.db (or postgres://…, mysql://…)
  REDIS_DSN  AUTH_KEY (unset: generated into ./data/auth.key)  ENCRYPTION_KEY  IS_SLAVE
  LOG_LEVEL  LOG_FORMAT  SERVER_GRACEFUL_SHUTDOWN_TIMEOUT  HTTP_PROXY  HTTPS_PROXY  NO_PROXY
The README's "Environment variables" lists them all.`

export const runBinary = async (embedded: Embedded): Promise<void> => {
  const args = process.argv.slice(2)
  if (args[0] === '--version' || args[0] === '-v') return console.log(embedded.version)
  if (args[0] === '--help' || args[0] === '-h') return console.log(HELP)
  await runCli(args, {
    openDatabase: bunDatabaseOpener(embedded),
    start: (raw) => startBunGateway(raw, embedded),
    migrateKeysCommand: 'edgeload migrate-keys',
  })
}
