// `npm start`: builds the admin console when its build is missing or stale, compiles the Node adapter
// with esbuild (about 0.2 s), and runs it in this same process, so signals reach it directly.
// Running compiled JS rather than a TypeScript loader keeps loader hooks off the hot path.
import { readdirSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'esbuild'
import { ensureAdminBuilt } from '../../admin/build.mjs'

// Paths are the repo's, not the working directory's: `.env` and ./data stay relative to the cwd.
const root = fileURLToPath(new URL('../..', import.meta.url))
if (ensureAdminBuilt()) console.log('Built the admin console into admin/dist')

// zod re-exports every locale it has (~370 KB of the bundle) as `z.locales`; its messages are
// English, from locales/en.js, which stays.
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, ({ importer, resolveDir }) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(importer)
        ? { path: join(dirname(resolveDir), 'locales'), namespace: 'zod-locales' }
        : undefined,
    )
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, ({ path }) => ({
      contents: "export { default as en } from './en.js'",
      resolveDir: path,
    }))
  },
}

// The environment's parser is compiled apart, with only the part of zod it uses (about 45 KB). In
// the one build, the admin API's full zod shares zod's core (291 KB) with it, and every start then
// compiled that whole core; now the admin chunk alone holds it, loaded on the first /api request.
// env.ts imports nothing else of ours (checked below), so no module of ours is copied.
const ENV_MODULE = join(root, 'src/config/env.ts')
const envApart = {
  name: 'env-apart',
  setup(b) {
    b.onResolve({ filter: /[\\/]config[\\/]env$/ }, ({ path, resolveDir }) =>
      join(resolveDir, `${path}.ts`) === ENV_MODULE
        ? { path: ENV_MODULE, namespace: 'env-apart' }
        : undefined,
    )
    b.onLoad({ filter: /.*/, namespace: 'env-apart' }, async () => {
      const apart = await build({
        absWorkingDir: root,
        entryPoints: [ENV_MODULE],
        bundle: true,
        write: false,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        sourcemap: 'inline',
        metafile: true,
        logLevel: 'warning',
      })
      // A module of ours copied in here would be a second instance of it beside the main build's.
      const copied = Object.keys(apart.metafile.inputs).filter(
        (f) => f !== 'src/config/env.ts' && !f.startsWith('node_modules/zod/'),
      )
      if (copied.length) throw new Error(`env.ts must import only zod, not ${copied.join(', ')}`)
      return { contents: apart.outputFiles[0].text, loader: 'js', resolveDir: dirname(ENV_MODULE) }
    })
  },
}

// dist/node/ sits as deep as adapters/node/, so paths resolved from import.meta.url still hold.
const outdir = join(root, 'dist/node')
const result = await build({
  // The metafile's output paths are relative to this, and the pruning below joins them to root.
  absWorkingDir: root,
  entryPoints: { main: join(root, 'adapters/node/main.ts') },
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  // The drivers that DATABASE_DSN may never name (pg, mysql2, ioredis) load from chunks of their
  // own, on first use. Chunks stay beside main.mjs: same depth, same relative paths.
  splitting: true,
  chunkNames: '[name]-[hash]',
  // Pure-JS packages are compiled in: resolving and loading their hundreds of files cost ~280 ms
  // of start-up. Native and optional drivers stay packages (bufferutil and utf-8-validate are
  // ws's optional natives, for remote libSQL).
  external: ['libsql', 'bufferutil', 'utf-8-validate', 'pg', 'pg-native', 'mysql2', 'ioredis'],
  // The bundled CommonJS packages (undici) require Node's built-ins.
  banner: {
    js: "import { createRequire as edgeloadCreateRequire } from 'node:module'; const require = edgeloadCreateRequire(import.meta.url);",
  },
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
  plugins: [zodEnglishOnly, envApart],
})
// Chunks of earlier builds go; a changed chunk gets a new name, so a running node keeps its own.
const built = new Set(Object.keys(result.metafile.outputs).map((f) => join(root, f)))
for (const name of readdirSync(outdir)) {
  const file = join(outdir, name)
  if (/\.mjs(\.map)?$/.test(name) && !built.has(file.replace(/\.map$/, ''))) rmSync(file)
}
if (process.argv.includes('--build-only')) process.exit(0)
await import(pathToFileURL(join(outdir, 'main.mjs')).href)
