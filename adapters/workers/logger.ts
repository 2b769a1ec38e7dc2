// Workers' logger: console, which Workers Logs keeps structured (no need to stringify extras).
import type { Logger, LogLevel } from '../../src/deps'

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export const createConsoleLogger =
  (min: LogLevel): Logger =>
  (level, msg, extra) => {
    if (ORDER[level] < ORDER[min]) return
    if (extra) console[level](msg, extra)
    else console[level](msg)
  }
