// The data folder and the files that hold the admin key (the database keeps it in proxy_keys, its
// -wal holds recent pages, and auth.key) are for the owner only: what edgeload creates is 0700 for
// folders and 0600 for files. SQLite gives -wal and -shm the mode of the database file, so
// creating that file 0600 before libsql opens it covers all three, whatever the umask.
// Existing paths keep the mode the operator gave them (a backup user's group may read them on
// purpose); each start warns about every one that others can reach, with the chmod that fixes it.
import { closeSync, mkdirSync, openSync, statSync } from 'node:fs'
import { dirname } from 'node:path'

/** Creates `dir` and its missing parents 0700; an existing folder is left as it is. */
export const makePrivateDir = (dir: string) => {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
}

/** Creates `file` empty with mode 0600 unless it exists (an empty file is an empty database). */
export const makePrivateFile = (file: string) => {
  makePrivateDir(dirname(file))
  try {
    closeSync(openSync(file, 'wx', 0o600))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  }
}

/** A SQLite database's own files: the file, its write-ahead log and its shared-memory index. */
export const sqliteFiles = (file: string) => [file, `${file}-wal`, `${file}-shm`]

const shellQuote = (path: string) =>
  /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replaceAll("'", `'\\''`)}'`

/** Warns once for each existing path that group or others can reach; missing paths are skipped. */
export const warnOpenModes = (paths: string[], warn: (msg: string) => void) => {
  for (const path of paths) {
    const st = statSync(path, { throwIfNoEntry: false })
    if (!st || (st.mode & 0o077) === 0) continue
    const mode = (st.mode & 0o777).toString(8).padStart(4, '0')
    const fix = st.isDirectory() ? '700' : '600'
    warn(
      `WARNING: ${path} has mode ${mode}: other users on this host can reach it, and it holds the admin key. Fix: chmod ${fix} ${shellQuote(path)}`,
    )
  }
}
