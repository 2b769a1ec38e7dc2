// `npm start`: builds the admin console when its build is missing, compiles the Node adapter
// with esbuild (about 0.2 s), and runs it in this same process, so signals reach it directly.
// Running compiled JS rather than a TypeScript loader keeps loader hooks off the hot path.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'esbuild'

// Paths are the repo's, not the working directory's: `.env` and ./data stay relative to the cwd.
const root = fileURLToPath(new URL('../..', import.meta.url))
if (
  existsSync(join(root, 'admin/index.html')) &&
  !existsSync(join(root, 'admin/dist/index.html'))
) {
  console.log('Building the admin console (first start)...')
  // Vite honours an inherited NODE_ENV; anything but production would ship debug code.
  const r = spawnSync('npx', ['vite', 'build', 'admin'], {
    stdio: 'inherit',
    cwd: root,
    env: { ...process.env, NODE_ENV: 'production' },
  })
  if (r.status !== 0) process.exit(r.status ?? 1)
}

// dist/node/ sits as deep as adapters/node/, so paths resolved from import.meta.url still hold.
const outfile = join(root, 'dist/node/main.mjs')
await build({
  entryPoints: [join(root, 'adapters/node/main.ts')],
  outfile,
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
})
if (process.argv.includes('--build-only')) process.exit(0)
await import(pathToFileURL(outfile).href)
