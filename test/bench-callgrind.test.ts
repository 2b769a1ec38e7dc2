// bench/instructions.ts counts a process's instructions between a zero and a dump under
// callgrind: the count must follow the work done in between, and the dump must be read whole.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { callgrindArgv, callgrindControl, callgrindTotal } from '../bench/callgrind'
import { freePort, sleep, spawnPinned, waitFor } from '../bench/procs'

describe('callgrindTotal', () => {
  it('reads the summary line, else the totals line', () => {
    expect(callgrindTotal('events: Ir\nsummary: 1234\n')).toBe(1234)
    expect(callgrindTotal('fn=x\n1 5\ntotals: 987\n')).toBe(987)
    expect(() => callgrindTotal('events: Ir\n')).toThrow(/no summary/)
  })
})

describe('a server under callgrind', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cg-test-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('counts between zero and dump, in proportion to the requests served', async () => {
    const port = await freePort()
    const server = join(dir, 'server.mjs')
    writeFileSync(
      server,
      "import http from 'node:http'\n" +
        `http.createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1')\n`,
    )
    const env = { HOST: '127.0.0.1' }
    const argv = callgrindArgv(dir, process.execPath, [server])
    const proc = spawnPinned(argv, { cwd: dir, env, cpu: null, graceMs: 10_000 })
    try {
      const url = `http://127.0.0.1:${port}/`
      await waitFor(proc, url, (s) => s === 200, 120_000)
      const serve = async (n: number) => {
        for (let i = 0; i < n; i++) await (await fetch(url)).text()
      }
      const cg = callgrindControl(proc.child.pid!, dir, env)
      await serve(300) // warm-up: compiled code, like the bench's
      cg.zero()
      await serve(200)
      const first = await cg.dump()
      cg.zero()
      await serve(400)
      const second = await cg.dump()
      expect(first).toBeGreaterThan(200 * 10_000)
      expect(second / first).toBeGreaterThan(1.5)
      expect(second / first).toBeLessThan(2.5)
      cg.zero()
      await sleep(500)
      expect(await cg.dump()).toBeLessThan(first / 10)
    } finally {
      await proc.stop()
    }
  }, 180_000)
})
