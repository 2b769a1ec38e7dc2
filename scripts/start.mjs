// `npm start`: builds the admin console when its build is missing, then runs the Node adapter
// in this same process (tsx compiles TypeScript on load), so signals reach it directly.
import { existsSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { register } from 'tsx/esm/api'

// Paths are the repo's, not the working directory's: `.env` and ./data stay relative to the cwd.
const root = fileURLToPath(new URL('..', import.meta.url))
if (existsSync(join(root, 'admin/index.html')) && !existsSync(join(root, 'admin/dist/index.html'))) {
  console.log('Building the admin console (first start)...')
  const r = spawnSync('npx', ['vite', 'build', 'admin'], { stdio: 'inherit', cwd: root })
  if (r.status !== 0) process.exit(r.status ?? 1)
}

register()
await import('../adapters/node/main.ts')
