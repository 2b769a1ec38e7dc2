// File modes (issue 9, item 7): the database holds the admin key in proxy_keys, so `npm start`
// creates the data folder 0700 and the database, its -wal and -shm, and auth.key 0600, whatever
// the umask; a start over existing paths that others can reach warns, naming each path, its mode
// and the chmod that fixes it, and leaves the mode as the operator set it.
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startChild, type StartedChild } from './helpers/child'
import { until, within } from './helpers/wait'

const dirs: string[] = []
let umask = 0

// The modes must not depend on the runner's umask: 022 is what most hosts start processes with,
// and the gateway started below inherits it.
beforeAll(() => {
  umask = process.umask(0o022)
})
afterAll(() => {
  process.umask(umask)
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'edgeload-modes-'))
  dirs.push(d)
  return d
}

const modeOf = (path: string) => statSync(path).mode & 0o777

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })

/** The environment of this test process minus everything the gateway reads. */
const cleanEnv = () => {
  const env = { ...process.env }
  for (const k of ['PORT', 'HOST', 'AUTH_KEY', 'DATABASE_DSN', 'LOG_LEVEL', 'LOG_FORMAT'])
    delete env[k]
  return env
}

/** `npm start` in `cwd` as an operator runs it, healthy on 127.0.0.1; `stop()` sends SIGTERM. */
const start = async (cwd: string, env: Record<string, string> = {}) => {
  const port = await freePort()
  const child: StartedChild = startChild(cwd, {
    ...cleanEnv(),
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    ...env,
  })
  const url = `http://127.0.0.1:${port}`
  const health = () =>
    fetch(`${url}/health`).then(
      (r) => r.status,
      () => 0,
    )
  try {
    await until(
      async () => child.proc.exitCode !== null || (await health()) === 200,
      20_000,
      () => `health (output: ${child.out.text})`,
    )
    expect(await health(), child.out.text).toBe(200)
  } catch (err) {
    child.proc.kill('SIGKILL')
    throw err
  }
  const stop = async () => {
    child.proc.kill('SIGTERM')
    const { code } = await within(child.exit, 15_000, () => `exit (output: ${child.out.text})`)
    expect(code, child.out.text).toBe(0)
  }
  return { url, out: child.out, proc: child.proc, stop }
}

describe('file modes', () => {
  it('creates the data folder 0700 and the database, -wal, -shm and auth.key 0600', async () => {
    const cwd = tempDir()
    const data = join(cwd, 'data')
    const db = join(data, 'edgeload.db')
    // No AUTH_KEY and no DATABASE_DSN: the generated key and ./data/edgeload.db, the defaults.
    const gw = await start(cwd)
    try {
      const key = readFileSync(join(data, 'auth.key'), 'utf8').trim()
      // An admin write, so the write-ahead log and its index exist.
      const r = await fetch(`${gw.url}/api/groups`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          name: 'g',
          channel_type: 'openai',
          upstreams: [{ url: 'http://127.0.0.1:9', weight: 1 }],
        }),
      })
      expect(r.status).toBe(200)
      const modes = Object.fromEntries(
        [data, db, `${db}-wal`, `${db}-shm`, join(data, 'auth.key')].map((p) => [
          p,
          modeOf(p).toString(8),
        ]),
      )
      expect(modes).toEqual({
        [data]: '700',
        [db]: '600',
        [`${db}-wal`]: '600',
        [`${db}-shm`]: '600',
        [join(data, 'auth.key')]: '600',
      })
    } finally {
      await gw.stop()
    }
    expect(gw.out.text).not.toMatch(/chmod/)

    // A restart over its own files has nothing to warn about.
    const again = await start(cwd)
    await again.stop()
    expect(again.out.text).not.toMatch(/chmod/)
  })

  it('warns at start about each existing path others can reach, with the chmod, and keeps its mode', async () => {
    const cwd = tempDir()
    // A folder name with a space: the command must still work when pasted into a shell.
    const data = join(cwd, 'my data')
    const db = join(data, 'edgeload.db')
    mkdirSync(data)
    chmodSync(data, 0o755)
    writeFileSync(db, '')
    chmodSync(db, 0o644)
    const gw = await start(cwd, {
      AUTH_KEY: 'file-modes-admin-key-0123456789',
      DATABASE_DSN: 'my data/edgeload.db',
    })
    await gw.stop()
    const warnings = gw.out.text.split('\n').filter((l) => l.includes('chmod'))
    expect(warnings, gw.out.text).toHaveLength(2)
    const [dirLine, dbLine] = warnings
    expect(dirLine).toMatch(/WARN/)
    expect(dirLine).toContain(`${data} has mode 0755`)
    expect(dirLine).toContain(`chmod 700 '${data}'`)
    expect(dbLine).toMatch(/WARN/)
    expect(dbLine).toContain(`${db} has mode 0644`)
    expect(dbLine).toContain(`chmod 600 '${db}'`)
    // The operator's modes stay: a backup user's group may read the file on purpose.
    expect(modeOf(data)).toBe(0o755)
    expect(modeOf(db)).toBe(0o644)
  })
})
