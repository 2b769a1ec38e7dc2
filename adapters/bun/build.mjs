// `npm run build:bun`: builds the admin console when its build is missing or stale, writes
// dist/bun/entry-<pid>.ts with what the binary embeds (the version, migrations/*'s journals and SQL,
// admin/dist's files), and compiles it with `bun build --compile` into dist/edgeload.
import { spawnSync } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ensureAdminBuilt } from '../../admin/build.mjs'

const root = fileURLToPath(new URL('../..', import.meta.url))
const outfile = join(root, 'dist/edgeload')

const migrations = (dialect) => {
  const folder = join(root, 'migrations', dialect)
  const journal = readFileSync(join(folder, 'meta/_journal.json'), 'utf8')
  const sql = {}
  for (const { tag } of JSON.parse(journal).entries) {
    sql[tag] = readFileSync(join(folder, `${tag}.sql`), 'utf8')
  }
  return { journal, sql }
}

const consoleFiles = () => {
  const dist = join(root, 'admin/dist')
  const files = {}
  for (const entry of readdirSync(dist, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue
    const path = join(entry.parentPath, entry.name)
    files['/' + relative(dist, path).split(sep).join('/')] = readFileSync(path).toString('base64')
  }
  return files
}

export const buildBun = () => {
  if (ensureAdminBuilt()) console.log('Built the admin console into admin/dist')
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  const embedded = {
    version,
    migrations: { sqlite: migrations('sqlite'), pg: migrations('pg'), mysql: migrations('mysql') },
    console: consoleFiles(),
  }
  mkdirSync(join(root, 'dist/bun'), { recursive: true })
  // Per process, and renamed into place: builds running at once (tests, a bench) never meet.
  const entry = join(root, `dist/bun/entry-${process.pid}.ts`)
  const tmp = `${outfile}.${process.pid}`
  writeFileSync(
    entry,
    `// Written by adapters/bun/build.mjs: the Bun binary's entry and what it embeds.\n` +
      `import { runBinary } from '../../adapters/bun/main'\n\n` +
      `await runBinary(${JSON.stringify(embedded)})\n`,
  )
  const bun = join(root, 'node_modules/.bin/bun')
  const args = ['build', '--compile', '--minify', '--sourcemap=none', entry, '--outfile', tmp]
  // The binary reads ./.env itself, as npm start does: nothing else of Bun's autoloading.
  args.push('--no-compile-autoload-dotenv', '--no-compile-autoload-bunfig')
  const r = spawnSync(existsSync(bun) ? bun : 'bun', args, { cwd: root, encoding: 'utf8' })
  rmSync(entry, { force: true })
  if (r.status !== 0) throw new Error(`bun build failed:\n${r.stdout}\n${r.stderr}`)
  renameSync(tmp, outfile)
  return outfile
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(`Built ${buildBun()}`)
}
