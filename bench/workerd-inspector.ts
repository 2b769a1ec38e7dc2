// Detaches wrangler dev's inspector session from the Worker's workerd. wrangler keeps one open
// with Network.enable (for DevTools), so workerd reports every request and subrequest over it and
// wrangler relays each event through its dev proxy to node: CPU that production does not spend.
// workerd allows one session, so opening ours closes wrangler's, which does not reconnect until
// the Worker reloads; ours is closed at once.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { WebSocket } from 'undici'

/** Loopback ports `pid` listens on, from its socket inodes and /proc/net/tcp. */
const listeningPorts = (pid: number): number[] => {
  const inodes = new Set<string>()
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))
      if (m) inodes.add(m[1])
    } catch {
      // Closed while we looked.
    }
  }
  const ports: number[] = []
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/)
    // f[1] local address (hex ip:port), f[3] state (0A = LISTEN), f[9] inode.
    if (f[3] === '0A' && inodes.has(f[9])) ports.push(parseInt(f[1].split(':')[1], 16))
  }
  return ports
}

const debuggerUrl = async (port: number): Promise<string | null> => {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/json/list`, {
      signal: AbortSignal.timeout(2000),
    })
    const list = (await res.json()) as Array<{ webSocketDebuggerUrl?: string }>
    return list[0]?.webSocketDebuggerUrl ?? null
  } catch {
    return null
  }
}

/** Opens and closes one inspector session on the workerd `pid`; throws if it has no inspector. */
export const detachInspector = async (pid: number): Promise<void> => {
  for (const port of listeningPorts(pid)) {
    const url = await debuggerUrl(port)
    if (!url) continue
    const ws = new WebSocket(url)
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve()
      ws.onerror = () => reject(new Error(`inspector ${url} refused the session`))
    })
    ws.close()
    return
  }
  throw new Error(`workerd ${pid} has no inspector port`)
}
