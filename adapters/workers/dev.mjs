#!/usr/bin/env node
// `npm run dev:workers [-- wrangler dev options]`: the Worker on loopback with local D1, as
// `npm start` is for Node. Applies the D1 migrations locally, keeps an AUTH_KEY in .dev.vars
// (generated once, like data/auth.key on Node) and runs `wrangler dev`, which builds the console
// first (wrangler.toml's [build]). wrangler is told not to reach the internet (metrics, request.cf data).
import { spawnSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'

const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' }
const args = process.argv.slice(2)
// --persist-to is shared by the migration and the server, so both see one local D1.
const at = args.indexOf('--persist-to')
const persist = at >= 0 ? ['--persist-to', args[at + 1]] : []

const run = (cmd, cmdArgs) => {
  const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit', env })
  if (r.status !== 0) process.exit(r.status ?? 1)
}

const vars = existsSync('.dev.vars') ? readFileSync('.dev.vars', 'utf8') : ''
if (!/^AUTH_KEY=/m.test(vars) && !process.env.AUTH_KEY) {
  const key = `sk-${randomBytes(24).toString('base64url')}`
  writeFileSync(
    '.dev.vars',
    `${vars}${vars && !vars.endsWith('\n') ? '\n' : ''}AUTH_KEY=${key}\n`,
    {
      mode: 0o600,
    },
  )
  console.log(`Generated AUTH_KEY into .dev.vars: ${key}`)
}

run('npx', ['wrangler', 'd1', 'migrations', 'apply', 'DB', '--local', ...persist])

// An AUTH_KEY in the environment reaches the Worker as a var (tests, one-off runs).
const authVar = process.env.AUTH_KEY ? ['--var', `AUTH_KEY:${process.env.AUTH_KEY}`] : []
const dev = spawn('npx', ['wrangler', 'dev', '--ip', '127.0.0.1', ...authVar, ...args], {
  stdio: 'inherit',
  env,
})
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => dev.kill(sig))
dev.on('exit', (code) => process.exit(code ?? 0))
