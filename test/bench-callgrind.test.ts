// bench/instructions.ts counts a process's instructions between a zero and a dump under
// callgrind: the count must follow the work done in between, and the dump must be read whole.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  callgrindArgv,
  callgrindControl,
  callgrindTotal,
  compilerInstructions,
  gcInstructions,
  lastDumpFile,
  selfCosts,
} from '../bench/callgrind'
import { freePort, sleep, spawnPinned, waitFor } from '../bench/procs'

describe('callgrindTotal', () => {
  it('reads the summary line, else the totals line', () => {
    expect(callgrindTotal('events: Ir\nsummary: 1234\n')).toBe(1234)
    expect(callgrindTotal('fn=x\n1 5\ntotals: 987\n')).toBe(987)
    expect(() => callgrindTotal('events: Ir\n')).toThrow(/no summary/)
  })
})

describe('selfCosts', () => {
  // Names are compressed to their id after first use; the line after `calls=` is the call's
  // inclusive cost, which belongs to the callee.
  const dump = [
    'events: Ir',
    'fn=(1) main',
    '3 10',
    'cfn=(2) v8::internal::compiler::Pipeline::Run()',
    'calls=1 7',
    '4 500',
    '+1 5',
    'fn=(2)',
    '7 450',
    '* 50',
    'fn=(3) Builtins_LoadIC',
    '-2 40',
    'totals: 555',
  ].join('\n')

  it("counts each function's own lines, not its calls, and knows compressed names", () => {
    const costs = selfCosts(dump)
    expect(Object.fromEntries(costs)).toEqual({
      main: 15,
      'v8::internal::compiler::Pipeline::Run()': 500,
      Builtins_LoadIC: 40,
    })
    expect(compilerInstructions(costs)).toBe(500)
    expect(gcInstructions(costs)).toBe(0)
    const collected = selfCosts(
      dump.replace('Builtins_LoadIC', 'v8::internal::Scavenger::Process()'),
    )
    expect(gcInstructions(collected)).toBe(40)
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
      const first = (await cg.dump()).total
      cg.zero()
      await serve(400)
      const second = await cg.dump()
      expect(first).toBeGreaterThan(200 * 10_000)
      expect(second.total / first).toBeGreaterThan(1.5)
      expect(second.total / first).toBeLessThan(2.5)
      expect(second.compiler).toBeGreaterThanOrEqual(0)
      expect(second.compiler + second.gc).toBeLessThan(second.total)
      // The functions' own costs add up to the dump's totals line.
      const text = readFileSync(lastDumpFile(dir), 'utf8')
      const sum = [...selfCosts(text).values()].reduce((a, b) => a + b, 0)
      expect(sum).toBe(Number(/^totals:\s*(\d+)/m.exec(text)![1]))
      cg.zero()
      await sleep(500)
      expect((await cg.dump()).total).toBeLessThan(first / 10)
    } finally {
      await proc.stop()
    }
  }, 180_000)
})
