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
 * Instructions by function in a callgrind dump: each function's own (self) cost, without what
 * the functions it calls executed. Names come from `fn=` and `cfn=` lines, compressed to `(id)`
 * after their first use; the cost line after a `calls=` line is the call's inclusive cost, so it
 * is skipped.
 */
export const selfCosts = (dump: string): Map<string, number> => {
  const names = new Map<string, string>()
  const nameOf = (spec: string) => {
    const m = /^\((\d+)\)(?: (.*))?$/.exec(spec)
    if (!m) return spec
    if (m[2] !== undefined) names.set(m[1]!, m[2])
    return names.get(m[1]!) ?? spec
  }
  const out = new Map<string, number>()
  let fn = ''
  let callCost = false
  for (const line of dump.split('\n')) {
    if (line.startsWith('fn=')) fn = nameOf(line.slice(3))
    else if (line.startsWith('cfn=')) nameOf(line.slice(4))
    else if (line.startsWith('calls=')) callCost = true
    else if (/^[\d+*-]/.test(line)) {
      if (callCost) callCost = false
      else out.set(fn, (out.get(fn) ?? 0) + Number(line.split(' ')[1] ?? 0))
    }
  }
  return out
}

/**
 * V8's optimizing and baseline compilers' own instructions. They compile a function once it is
 * hot, so their share in a window depends on how warm the process is, not on what a request
 * costs once compiled; under callgrind, where timers fire tens of times more often per request,
 * late compiles of timer-driven code weigh more still.
 */
export const compilerInstructions = (costs: Map<string, number>): number => sumOf(costs, COMPILER)

/**
 * V8's garbage collector's own instructions (scavenges, marking, sweeping, evacuation). A costly
 * collection lands in a window of a few thousand requests or not, and a process whose scavenges
 * promote much pays several times more per request for its whole life (the minimal proxy read
 * 23,000 and 165,000 per chat in two runs), so it is shown apart.
 */
export const gcInstructions = (costs: Map<string, number>): number => sumOf(costs, GC)

const COMPILER = /\bv8::internal::(?:compiler|maglev|baseline)::/
const GC =
  /Scaveng|MarkCompact|Marking|Sweeper|Evacuat|RememberedSet|SemiSpace|Pretenuring|IterateObjectCache|BodyDescriptor|GCTracer|\bheap::base::|\bcppgc::/

const sumOf = (costs: Map<string, number>, names: RegExp) => {
  let n = 0
  for (const [name, ir] of costs) if (names.test(name)) n += ir
  return n
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

/** The newest dump in `dir` (`cg.PID.N`, N counting up). */
export const lastDumpFile = (dir: string): string => {
  const dumps = readdirSync(dir)
    .filter((f) => /^cg\.\d+\.\d+$/.test(f))
    .sort((a, b) => Number(a.split('.')[2]) - Number(b.split('.')[2]))
  if (dumps.length === 0) throw new Error(`no callgrind dump in ${dir}`)
  return join(dir, dumps.at(-1)!)
}

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
  /** The newest dump's total, and the parts of it V8's compilers and collector executed. */
  const lastDump = () => {
    const text = readFileSync(lastDumpFile(dir), 'utf8')
    const costs = selfCosts(text)
    return {
      total: callgrindTotal(text),
      compiler: compilerInstructions(costs),
      gc: gcInstructions(costs),
    }
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
