// `npm start`: builds the admin console when its build is missing, then runs the Node adapter
// in this same process (tsx compiles TypeScript on load), so signals reach it directly.
import { existsSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { register } from 'tsx/esm/api'

if (existsSync('admin/index.html') && !existsSync('admin/dist/index.html')) {
  console.log('Building the admin console (first start)...')
  const r = spawnSync('npx', ['vite', 'build', 'admin'], { stdio: 'inherit' })
  if (r.status !== 0) process.exit(r.status ?? 1)
}

register()
await import('../adapters/node/main.ts')
