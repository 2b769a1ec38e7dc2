// Builds the console into admin/dist when it is missing (a fresh clone) or older than a source
// (local work on it): for `npm start`, `wrangler dev` / `wrangler deploy` (wrangler.toml's
// [build]) and the tests. The build goes to a private folder that is renamed into place, so
// nothing serving admin/dist sees it half-written; when several build at once, the first to
// finish installs its build and the others drop theirs. `node admin/build.mjs` runs it.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const repo = fileURLToPath(new URL('..', import.meta.url))

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

const needsBuild = (index) => !existsSync(index) || statSync(index).mtimeMs < newestSource()

/** Builds admin/dist if needed; returns whether it built. */
export const ensureAdminBuilt = () => {
  const dist = join(repo, 'admin/dist')
  const index = join(dist, 'index.html')
  // A packaged copy without the console's sources serves the build it came with.
  if (!existsSync(join(repo, 'admin/src')) || !needsBuild(index)) return false
  const tmp = join(repo, `admin/.dist-${process.pid}`)
  const r = spawnSync('npx', ['vite', 'build', 'admin', '--outDir', tmp, '--logLevel', 'warn'], {
    cwd: repo,
    encoding: 'utf8',
    // Anything but production (vitest sets NODE_ENV=test) would ship Preact's debug code.
    env: { ...process.env, NODE_ENV: 'production' },
  })
  if (r.status !== 0) throw new Error(`vite build failed:\n${r.stdout}\n${r.stderr}`)
  if (needsBuild(index)) {
    rmSync(dist, { recursive: true, force: true })
    try {
      renameSync(tmp, dist)
      return true
    } catch {
      // another build was renamed into place in between: keep that one
    }
  }
  rmSync(tmp, { recursive: true, force: true })
  return false
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (ensureAdminBuilt()) console.log('Built the admin console into admin/dist')
}
