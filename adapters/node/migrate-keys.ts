// `npm run migrate-keys -- [--from <old key>] [--to <new key>]`: encrypts (only --to), decrypts
// (only --from) or re-keys (both) the stored upstream keys of DATABASE_DSN. Run it with the
// gateway stopped; if it stops half-way, run it again and it carries on where it was.
import { parseArgs } from 'node:util'
import { parseEnv } from '../../src/config/env'
import { migrateKeys, type MigrateProgress } from '../../src/keys/migrate'
import { createKeySecrets, deploymentSalt } from '../../src/secrets/seal'
import { nodeHasher } from './hasher'
import type { OpenDatabase } from './open-database'

const usage = (
  command: string,
) => `usage: ${command} [--from <old ENCRYPTION_KEY>] [--to <new ENCRYPTION_KEY>] [--batch <1-100>]
  --to only:     encrypt plaintext keys
  --from only:   decrypt to plaintext
  both:          re-key from one ENCRYPTION_KEY to another`

const line = (p: MigrateProgress) =>
  `${p.scanned}/${p.total} keys: ${p.rewritten} rewritten, ${p.unchanged} already done, ${p.failed} failed`

/** Runs the command; resolves to the process exit code. */
export const runMigrateKeys = async (
  args: string[],
  raw: Record<string, string | undefined>,
  print: (s: string) => void,
  runtime: {
    /** The runtime's database opener (Node's or the Bun binary's). */
    openDatabase: OpenDatabase
    /** How the usage line names the command. */
    command?: string
  },
): Promise<number> => {
  const USAGE = usage(runtime.command ?? 'npm run migrate-keys --')
  let flags: { from?: string; to?: string; batch?: string }
  try {
    flags = parseArgs({
      args,
      options: { from: { type: 'string' }, to: { type: 'string' }, batch: { type: 'string' } },
    }).values
  } catch (err) {
    print(`${(err as Error).message}\n${USAGE}`)
    return 2
  }
  const batch = Number(flags.batch ?? 100)
  if ((!flags.from && !flags.to) || flags.from === flags.to || !(batch >= 1 && batch <= 100)) {
    print(USAGE)
    return 2
  }
  const env = parseEnv(raw)
  const db = await runtime.openDatabase(env.DATABASE_DSN, raw)
  try {
    const salt = () => deploymentSalt(db.store)
    const from = createKeySecrets(flags.from, salt, nodeHasher)
    const to = createKeySecrets(flags.to, salt, nodeHasher)
    let shownAt = 0
    const result = await migrateKeys(db.store, from, to, {
      batch,
      onProgress: (p) => {
        if (Date.now() - shownAt < 1000) return
        shownAt = Date.now()
        print(line(p))
      },
    })
    print(`done: ${line(result)}`)
    if (result.failed > 0) {
      print(
        `${result.failed} keys could not be opened with --from and were left as they are (ids: ${result.failedIds.join(', ')})`,
      )
      return 1
    }
    if (flags.to) print('Start the gateway with ENCRYPTION_KEY set to the --to key.')
    else print('Start the gateway without ENCRYPTION_KEY.')
    return 0
  } finally {
    await db.close()
  }
}
