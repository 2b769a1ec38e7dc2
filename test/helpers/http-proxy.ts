// A minimal HTTP forward proxy on loopback: tunnels each CONNECT to its target with net.connect
// (what undici sends for every target), and forwards absolute-form requests for http:// targets
// (what Bun's fetch sends for those). It records every target and Proxy-Authorization header.
import { once } from 'node:events'
import { createServer, request } from 'node:http'
import { connect } from 'node:net'
import type { AddressInfo, Socket } from 'node:net'

export interface ForwardProxy {
  url: string
  port: number
  /** Every request seen: its target (host:port) and Proxy-Authorization header. */
  seen: { target: string; auth?: string }[]
  close: () => Promise<void>
}

export const startForwardProxy = async (): Promise<ForwardProxy> => {
  const seen: ForwardProxy['seen'] = []
  const sockets = new Set<Socket>()
  const server = createServer((req, res) => {
    if (!/^http:\/\//.test(req.url ?? '')) return void res.writeHead(405).end()
    const target = new URL(req.url!)
    seen.push({ target: target.host, auth: req.headers['proxy-authorization'] })
    const headers = { ...req.headers }
    delete headers['proxy-authorization']
    delete headers['proxy-connection']
    const out = request(target, { method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    out.on('error', () => res.destroy())
    req.pipe(out)
  })
  server.on('connection', (s: Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  server.on('connect', (req, client: Socket, head: Buffer) => {
    seen.push({ target: req.url ?? '', auth: req.headers['proxy-authorization'] })
    const [host, port] = (req.url ?? '').split(':')
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length) upstream.write(head)
      upstream.pipe(client).pipe(upstream)
    })
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('error', () => (client.destroy(), upstream.destroy()))
      s.on('close', () => sockets.delete(s))
    }
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    close: async () => {
      for (const s of sockets) s.destroy()
      server.closeAllConnections()
      await new Promise((r) => server.close(r))
    },
  }
}
