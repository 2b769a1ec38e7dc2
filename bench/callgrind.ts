// A process under valgrind's callgrind, whose instruction count is zeroed and dumped on demand
// (callgrind_control). Counts are the same from run to run whatever else the machine does, so
// they compare code where CPU seconds swing (see bench/README.md, "Instructions").
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** The `summary:` (or `totals:`) line of a callgrind dump: instructions executed. */
export const callgrindTotal = (dump: string): number => {
  const m = /^(?:summary|totals):\s*(\d+)/m.exec(dump)
  if (!m) throw new Error('no summary or totals line in the callgrind dump')
  return Number(m[1])
}

/**
 * The argv that runs `argv` under callgrind, dumping into `dir`. V8's `--single-threaded` keeps
 * compilation and garbage collection on the main thread, where they are counted in order,
 * instead of helper threads whose share depends on timing; without the memory reducer no
 * collection starts because the clock says the process went quiet.
 */
export const callgrindArgv = (dir: string, node: string, args: string[]) => [
  'valgrind',
  '--tool=callgrind',
  '--smc-check=all-non-file',
  `--callgrind-out-file=${join(dir, 'cg.%p')}`,
  node,
  '--single-threaded',
  '--no-memory-reducer',
  ...args,
]

/**
 * Talks to the callgrind process `pid`. vgdb finds it by the HOST and USER it saw at start, so
 * pass the child's `env`.
 */
export const callgrindControl = (pid: number, dir: string, env: Record<string, string>) => {
  const send = (flag: string) => {
    const out = execFileSync('callgrind_control', [flag, String(pid)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    })
    if (!/OK/.test(out)) throw new Error(`callgrind_control ${flag} ${pid}: ${out.trim()}`)
  }
  /** The newest dump's total. */
  const lastDump = () => {
    const dumps = readdirSync(dir)
      .filter((f) => /^cg\.\d+\.\d+$/.test(f))
      .sort((a, b) => Number(a.split('.')[2]) - Number(b.split('.')[2]))
    if (dumps.length === 0) throw new Error(`no callgrind dump in ${dir}`)
    return callgrindTotal(readFileSync(join(dir, dumps.at(-1)!), 'utf8'))
  }
  return {
    zero: () => send('--zero'),
    /** Dumps and returns the instructions since the last zero. */
    dump: async () => {
      send('--dump')
      // The dump file is complete once callgrind answered; a moment for the file system.
      await new Promise((r) => setTimeout(r, 300))
      return lastDump()
    },
  }
}
