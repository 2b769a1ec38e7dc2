// `npm start` entry: the command line (cli.ts) over Node's database drivers and server.
import { runCli } from './cli'
import { openDatabase } from './database'
import { startNodeGateway } from './server'

await runCli(process.argv.slice(2), { openDatabase, start: startNodeGateway })
