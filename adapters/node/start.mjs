// `npm start`: builds the admin console when its build is missing or stale, compiles the Node adapter
// with esbuild (about 0.2 s), and runs it in this same process, so signals reach it directly.
// Running compiled JS rather than a TypeScript loader keeps loader hooks off the hot path.
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'esbuild'
import { ensureAdminBuilt } from '../../admin/build.mjs'

// Paths are the repo's, not the working directory's: `.env` and ./data stay relative to the cwd.
const root = fileURLToPath(new URL('../..', import.meta.url))
if (ensureAdminBuilt()) console.log('Built the admin console into admin/dist')

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
