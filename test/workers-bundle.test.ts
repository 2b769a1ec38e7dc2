// The Worker bundle exactly as `wrangler deploy` would upload it (`--dry-run`): small enough for
// Workers' free plan, free of Node built-ins, and without esbuild's keepNames wrappers, which
// cost a defineProperty per closure per request (~6% of the Worker's CPU in bench:workers).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const out = mkdtempSync(join(tmpdir(), 'edgeload-bundle-'))
let code = ''

beforeAll(() => {
  const r = spawnSync(
    process.execPath,
    ['node_modules/wrangler/bin/wrangler.js', 'deploy', '--dry-run', '--outdir', out],
    {
      encoding: 'utf8',
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
    },
  )
  expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0)
  code = readFileSync(join(out, 'index.js'), 'utf8')
}, 120_000)

afterAll(() => rmSync(out, { recursive: true, force: true }))

describe('the Worker bundle', () => {
  it('has no keepNames wrappers (keep_names = false in wrangler.toml)', () => {
    expect(code).toContain('createApp')
    expect(code.match(/\b__name\(/g) ?? []).toHaveLength(0)
  })

  it('imports no Node built-in', () => {
    expect(code).not.toMatch(/\bfrom\s+["']node:|\brequire\(["']node:/)
  })

  it('stays within the free plan’s 3 MB compressed limit, with room to grow', () => {
    expect(gzipSync(code).length).toBeLessThan(1024 * 1024)
  })
})
