// The Store contract on bun:sqlite, the Bun binary's SQLite driver: synchronous, like
// better-sqlite3, so runBatch must run inside the transaction (store.sync-batch.test.ts). vitest
// runs under Node, which has no bun:sqlite: Bun's own runner runs test/bun/store.bun-sqlite.ts.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))

it('passes the Store contract on bun:sqlite under Bun', () => {
  const r = spawnSync('node_modules/.bin/bun', ['test', './test/bun/store.bun-sqlite.ts'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  })
  const out = `${r.stdout}\n${r.stderr}`
  expect(r.status, out).toBe(0)
  expect(out).toMatch(/^\s*0 fail$/m)
  expect(Number(/^\s*(\d+) pass$/m.exec(out)?.[1])).toBeGreaterThanOrEqual(50)
  expect(out).toContain('calls every Store method (runs last)')
  expect(out).toContain('writes a batch atomically: a failing row leaves no stats or usage behind')
}, 150_000)
