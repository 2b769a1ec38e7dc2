// CPU time of a process and its descendants, from /proc/<pid>/stat (Linux only).
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'

const ticksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100
  } catch {
    return 100
  }
})()

/** Fields after "pid (comm)"; comm may contain spaces and parentheses, so split after the last ')'. */
const statFields = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
}

const childrenOf = (pid: number) => {
  const kids: number[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      if (Number(statFields(Number(name))[1]) === pid) kids.push(Number(name))
    } catch {
      // The process exited while we looked.
    }
  }
  return kids
}

/**
 * utime + stime (+ reaped children's) of `pid` and every live descendant, in microseconds;
 * `kernel`: stime alone, the time spent in system calls (socket writes, epoll).
 */
export const cpuMicros = (pid: number, kernel = false): number => {
  let ticks = 0
  const queue = [pid]
  while (queue.length) {
    const p = queue.pop()!
    try {
      const f = statFields(p)
      // Fields 14–17 of stat (utime, stime, cutime, cstime) are indexes 11–14 here.
      const sys = Number(f[12]) + Number(f[14])
      ticks += kernel ? sys : sys + Number(f[11]) + Number(f[13])
    } catch {
      continue
    }
    queue.push(...childrenOf(p))
  }
  return (ticks / ticksPerSecond) * 1e6
}

/** CPU ids this process may run on (Cpus_allowed_list, e.g. "0-3,6"). */
export const allowedCpus = (): number[] => {
  const line = /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync('/proc/self/status', 'utf8'))
  const cpus: number[] = []
  for (const part of line?.[1].split(',') ?? []) {
    const [lo, hi = lo] = part.split('-').map(Number)
    for (let c = lo; c <= hi; c++) cpus.push(c)
  }
  return cpus
}

/**
 * Two CPUs to pin to with taskset: the first for the process under test, the second for the
 * load generator and the upstream. Null without taskset or with fewer than two CPUs.
 */
export const twoCpus = (): [number, number] | null => {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' })
  } catch {
    return null
  }
  const cpus = allowedCpus()
  return cpus.length >= 2 ? [cpus[0], cpus[1]] : null
}
