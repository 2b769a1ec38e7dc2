// AUTH_KEY when the operator set none: generated once, kept in the data folder with mode 0600,
// and printed only on the start that created it.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { randomSecret } from '../../src/secrets/crypto'
import { makePrivateDir } from './file-modes'

export const authKeyFile = (dataDir: string) => join(dataDir, 'auth.key')

export const resolveAuthKey = (
  configured: string | undefined,
  dataDir: string,
  say: (msg: string) => void,
): string => {
  if (configured) {
    if (configured.length < 16)
      say('WARNING: AUTH_KEY is shorter than 16 characters; use a long random key.')
    return configured
  }
  const file = authKeyFile(dataDir)
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  makePrivateDir(dataDir)
  const key = randomSecret('el-')
  writeFileSync(file, key + '\n', { mode: 0o600 })
  chmodSync(file, 0o600)
  say(
    `AUTH_KEY was not set. Generated one and stored it in ${file} (mode 0600):\n\n  ${key}\n\nIt is the admin key and the first global proxy key. It will not be printed again.`,
  )
  return key
}
