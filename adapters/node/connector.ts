// An undici connector whose connect timeout fires on time. undici's own runs on its coarse
// "fast timers" (ticks of about half a second) plus a setImmediate, so a 2 s limit cut at 2.5 s;
// a plain setTimeout here keeps it within a few milliseconds.
import type { Socket } from 'node:net'
import { buildConnector, errors } from './undici'

// undici's default when a caller sets none.
const DEFAULT_TIMEOUT_MS = 10_000

export const exactConnector = (
  timeoutMs: number = DEFAULT_TIMEOUT_MS,
): buildConnector.connector => {
  // timeout 0 turns undici's timer off; this one replaces it.
  const connect = buildConnector({ timeout: 0 })
  return (opts, callback) => {
    let settled = false
    const timer = setTimeout(() => {
      if (settled) return
      settled = true
      socket?.destroy()
      callback(
        new errors.ConnectTimeoutError(
          `Connect Timeout Error (attempted address: ${opts.hostname}:${opts.port}, timeout: ${timeoutMs}ms)`,
        ),
        null,
      )
    }, timeoutMs)
    const socket = connect(opts, (err, sock) => {
      if (settled) return sock?.destroy()
      settled = true
      clearTimeout(timer)
      if (err) callback(err, null)
      else callback(null, sock!)
    }) as unknown as Socket | undefined
  }
}
