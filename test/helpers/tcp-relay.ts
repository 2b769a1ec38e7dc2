// A loopback TCP relay to a real service, which a test can cut and restore: how a test makes
// Redis (or a database) go away for one gateway without touching the service others share.
import { connect, createServer, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'

export interface TcpRelay {
  port: number
  /** Drops every connection and refuses new ones. */
  cut(): void
  /** Accepts and relays again. */
  restore(): void
  close(): Promise<void>
}

export const startTcpRelay = async (
  targetPort: number,
  targetHost = '127.0.0.1',
): Promise<TcpRelay> => {
  const open = new Set<Socket>()
  let down = false
  const server = createServer((client) => {
    if (down) return client.destroy()
    const upstream = connect(targetPort, targetHost)
    for (const s of [client, upstream]) {
      open.add(s)
      s.on('close', () => open.delete(s))
      s.on('error', () => {})
    }
    client.pipe(upstream).pipe(client)
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  return {
    port: (server.address() as AddressInfo).port,
    cut() {
      down = true
      for (const s of open) s.destroy()
    },
    restore() {
      down = false
    },
    close: () =>
      new Promise<void>((ok) => {
        for (const s of open) s.destroy()
        server.close(() => ok())
      }),
  }
}
