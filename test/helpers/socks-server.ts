// A minimal SOCKS5 server on loopback for tests: RFC 1928 CONNECT only, with no auth or, when
// `auth` is given, RFC 1929 username/password. It tunnels each CONNECT with net.connect and
// records every target and every credential offered, so tests can see what went through it.
import { once } from 'node:events'
import { connect, createServer } from 'node:net'
import type { AddressInfo, Socket } from 'node:net'

export interface SocksConnect {
  /** `host:port` as the client asked for it (a domain name stays a name). */
  target: string
  /** The username that authenticated the connection; null without auth. */
  user: string | null
}

export interface SocksServer {
  /** socks5://127.0.0.1:port, without credentials. */
  url: string
  port: number
  connects: SocksConnect[]
  /** Every username/password offered, accepted or not. */
  logins: { user: string; pass: string; ok: boolean }[]
  close: () => Promise<void>
}

/** Reads exact byte counts from a socket; what is left over goes on to the tunnel. */
const reader = (socket: Socket) => {
  let buf = Buffer.alloc(0)
  let want: { n: number; done: (b: Buffer) => void } | null = null
  const pump = () => {
    if (!want || buf.length < want.n) return
    const { n, done } = want
    want = null
    done(buf.subarray(0, n))
    buf = buf.subarray(n)
  }
  const onData = (d: Buffer) => ((buf = Buffer.concat([buf, d])), pump())
  socket.on('data', onData)
  return {
    read: (n: number) => new Promise<Buffer>((done) => ((want = { n, done }), pump())),
    /** Stops reading and returns the unread bytes. */
    detach: () => (socket.off('data', onData), buf),
  }
}

// VER 5, REP, RSV, ATYP IPv4 0.0.0.0:0: clients ignore the bound address for CONNECT.
const reply = (rep: number) => Buffer.from([5, rep, 0, 1, 0, 0, 0, 0, 0, 0])

export const startSocksServer = async (
  opts: { auth?: { user: string; pass: string } } = {},
): Promise<SocksServer> => {
  const connects: SocksConnect[] = []
  const logins: SocksServer['logins'] = []
  const sockets = new Set<Socket>()

  const serve = async (client: Socket) => {
    const r = reader(client)
    const [, nMethods] = await r.read(2)
    const methods = [...(await r.read(nMethods))]
    const method = opts.auth ? 2 : 0
    if (!methods.includes(method)) return client.end(Buffer.from([5, 0xff]))
    client.write(Buffer.from([5, method]))
    let user: string | null = null
    if (opts.auth) {
      const [, uLen] = await r.read(2)
      const name = (await r.read(uLen)).toString()
      const pass = (await r.read((await r.read(1))[0])).toString()
      const ok = name === opts.auth.user && pass === opts.auth.pass
      logins.push({ user: name, pass, ok })
      if (!ok) return client.end(Buffer.from([1, 1]))
      client.write(Buffer.from([1, 0]))
      user = name
    }
    const [, cmd, , atyp] = await r.read(4)
    let host: string
    if (atyp === 1) host = [...(await r.read(4))].join('.')
    else if (atyp === 3) host = (await r.read((await r.read(1))[0])).toString()
    else host = ((await r.read(16)).toString('hex').match(/.{4}/g) ?? []).join(':')
    const port = (await r.read(2)).readUInt16BE(0)
    if (cmd !== 1) return client.end(reply(7))
    connects.push({ target: `${host}:${port}`, user })
    const upstream = connect(port, host)
    sockets.add(upstream)
    // end(), not destroy(): a refusal's reply must still reach the client.
    upstream.on('close', () => (sockets.delete(upstream), client.end()))
    upstream.on('error', () => client.end(reply(5)))
    client.on('close', () => upstream.destroy())
    upstream.on('connect', () => {
      client.write(reply(0))
      upstream.write(r.detach())
      client.pipe(upstream).pipe(client)
    })
  }

  const server = createServer((client) => {
    sockets.add(client)
    client.on('close', () => sockets.delete(client))
    client.on('error', () => client.destroy())
    serve(client).catch(() => client.destroy())
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as AddressInfo).port
  return {
    url: `socks5://127.0.0.1:${port}`,
    port,
    connects,
    logins,
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise((r) => server.close(r))
    },
  }
}
