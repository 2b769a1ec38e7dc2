// Lingering close for answers given before the request body was read (a 413, a 401 on a large
// upload). Closing a socket that still holds unread bytes makes the kernel send a reset, which
// also throws away our answer in the client's receive buffer; a client that writes its whole
// body before it reads (most HTTP clients and SDKs) then sees EPIPE and never a status. So such
// an answer says `connection: close`, and its socket keeps reading and discarding what still
// comes, within bounds, before it closes: nginx's lingering_close (lingering_time 30 s,
// lingering_timeout 5 s).
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'

export interface LingerBounds {
  /** The longest a socket lingers after the answer, whatever the client does. */
  totalMs: number
  /** Closes earlier once the client has sent nothing for this long. */
  idleMs: number
  /** Closes earlier once this many bytes have been discarded. */
  maxBytes: number
}

export const LINGER: LingerBounds = { totalMs: 30_000, idleMs: 5_000, maxBytes: 256 * 1024 * 1024 }

const lingering = new WeakSet<Socket>()

/**
 * Call once the answer is known, before its headers go out: when the request body has not been
 * read to its end, the answer closes the connection and the socket lingers.
 */
export const closeUnreadBody = (
  incoming: IncomingMessage,
  outgoing: ServerResponse,
  bounds: LingerBounds = LINGER,
): void => {
  if (incoming.complete || outgoing.headersSent) return
  outgoing.setHeader('connection', 'close')
  const socket = incoming.socket
  // Node ends a `connection: close` socket with destroySoon() once the answer is written, and so
  // does @hono/node-server's own 500 ms drain: both now linger instead.
  socket.destroySoon = () => linger(socket, incoming, bounds)
}

const linger = (socket: Socket, incoming: IncomingMessage, bounds: LingerBounds) => {
  if (socket.destroyed || lingering.has(socket)) return
  lingering.add(socket)
  // Our answer is complete: FIN after it. The socket stays readable (http servers are half-open).
  socket.end()
  // A body reader the app gave up on would hold the stream paused; the bytes now go nowhere.
  incoming.removeAllListeners('data')
  incoming.resume()
  const start = socket.bytesRead
  let seen = start
  let quietSince = Date.now()
  const deadline = quietSince + bounds.totalMs
  // socket.bytesRead counts even while Node's HTTP parser reads the socket natively (no 'data').
  const tick = setInterval(
    () => {
      const now = Date.now()
      if (socket.bytesRead !== seen) {
        seen = socket.bytesRead
        quietSince = now
      }
      const over = seen - start > bounds.maxBytes
      if (over || now >= deadline || now - quietSince >= bounds.idleMs) socket.destroy()
    },
    Math.min(250, bounds.idleMs),
  )
  tick.unref()
  // The client's FIN ends it sooner: a half-open socket whose both sides ended closes by itself.
  socket.once('close', () => clearInterval(tick))
}
