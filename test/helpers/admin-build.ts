// Builds the admin console into admin/dist when it is missing (a fresh clone, CI) or stale: for
// the e2e tests, and for the workerd project, whose wrangler.toml serves admin/dist as assets.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const repo = fileURLToPath(new URL('../..', import.meta.url))

/** The newest modification time among the console's sources. */
const newestSource = () => {
  const files = readdirSync(join(repo, 'admin/src'), { recursive: true, encoding: 'utf8' })
  const paths = [
    ...files.map((f) => join('admin/src', f)),
    'admin/index.html',
    'admin/vite.config.ts',
  ]
  return Math.max(...paths.map((p) => statSync(join(repo, p)).mtimeMs))
}

/** admin/dist is missing, or older than a source file (local work on the console). */
const needsBuild = (index: string) => !existsSync(index) || statSync(index).mtimeMs < newestSource()

/**
 * Builds admin/dist when it is missing (a fresh clone, CI) or stale. The build goes to a private
 * folder that is renamed into place, so no test sees a half-written dist. When test files build
 * at the same time, the first to finish installs its build; the others find it current and drop
 * theirs, so a dist is never replaced under a test that already uses it.
 */
export const ensureAdminBuilt = () => {
  const dist = join(repo, 'admin/dist')
  const index = join(dist, 'index.html')
  if (!needsBuild(index)) return
  const tmp = join(repo, `admin/.dist-${process.pid}`)
  const r = spawnSync('npx', ['vite', 'build', 'admin', '--outDir', tmp, '--logLevel', 'warn'], {
    cwd: repo,
    encoding: 'utf8',
    // vitest sets NODE_ENV=test, which would give a development build (Preact's debug code).
    env: { ...process.env, NODE_ENV: 'production' },
  })
  if (r.status !== 0) throw new Error(`vite build failed:\n${r.stdout}\n${r.stderr}`)
  if (needsBuild(index)) {
    rmSync(dist, { recursive: true, force: true })
    try {
      renameSync(tmp, dist)
      return
    } catch {
      // another file renamed its build in between: keep that one
    }
  }
  rmSync(tmp, { recursive: true, force: true })
}
