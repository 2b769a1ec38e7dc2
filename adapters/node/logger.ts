// The app log on Node: text or JSON lines on stdout/stderr, filtered by LOG_LEVEL.
import type { Logger, LogLevel } from '../../src/deps'

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export const createLogger = (level: LogLevel, format: 'text' | 'json'): Logger => {
  const min = ORDER[level]
  return (lvl, msg, extra) => {
    if (ORDER[lvl] < min) return
    const time = new Date().toISOString()
    const line =
      format === 'json'
        ? JSON.stringify({ time, level: lvl, msg, ...extra })
        : `${time} ${lvl.toUpperCase().padEnd(5)} ${msg}${extra && Object.keys(extra).length ? ' ' + JSON.stringify(extra) : ''}`
    ;(ORDER[lvl] >= ORDER.warn ? process.stderr : process.stdout).write(line + '\n')
  }
}
