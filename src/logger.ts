// The log interface every layer writes through; adapters implement it (Node: stdout lines).
export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
export type Logger = (level: LogLevel, msg: string, extra?: Record<string, unknown>) => void
