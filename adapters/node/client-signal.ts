// "The client went away" for one Node response, without an AbortController: creating one and
// its EventTarget per request cost ~5% of a small chat's CPU (bench, chat at c=64). The server
// calls `responseClosed` from the one 'close' listener it already has on every response.
import type { ServerResponse } from 'node:http'
import type { ClientSignal } from '../../src/deps'

const SIGNAL = Symbol('clientSignal')

type Listener = () => void

export class ResponseSignal implements ClientSignal {
  aborted = false
  reason: unknown = undefined
  // Rarely more than one at a time (the upstream call, a wait, a stream's slot).
  private listeners: Listener[] = []

  constructor(private readonly outgoing: ServerResponse) {}

  /**
   * A streamed answer is coming: its headers wait for the first chunk (until this turn of the event
   * loop ends), one socket write instead of two. @hono/node-server flushes a stream's headers at
   * once, which cost ~5% of a 20-event SSE stream's CPU at c=64.
   */
  holdHeaders() {
    const o = this.outgoing
    const socket = o.socket
    if (o.headersSent || o.writableEnded || !socket) return
    // The socket, not the response: on Node 22 a body written and ended while the response
    // itself is corked never reaches the client.
    socket.cork()
    setImmediate(() => socket.uncork())
  }

  addEventListener(_type: 'abort', listener: Listener) {
    // Like EventTarget: a listener added twice is called once.
    if (!this.aborted && !this.listeners.includes(listener)) this.listeners.push(listener)
  }

  removeEventListener(_type: 'abort', listener: Listener) {
    const i = this.listeners.indexOf(listener)
    if (i >= 0) this.listeners.splice(i, 1)
  }

  abort(reason: unknown) {
    if (this.aborted) return
    this.aborted = true
    this.reason = reason
    const all = this.listeners
    this.listeners = []
    // As with EventTarget: every listener runs, and an error surfaces as uncaught afterwards.
    let failed: { err: unknown } | null = null
    for (const fn of all) {
      try {
        fn()
      } catch (err) {
        failed ??= { err }
      }
    }
    if (failed)
      queueMicrotask(() => {
        throw failed.err
      })
  }
}

type WithSignal = ServerResponse & { [SIGNAL]?: ResponseSignal }

/** The response's signal, made on first use: only requests that need one pay for it. */
export const clientSignal = (outgoing: ServerResponse): ClientSignal =>
  ((outgoing as WithSignal)[SIGNAL] ??= new ResponseSignal(outgoing))

/** A response closed before its last byte went out: the client is gone. */
export const responseClosed = (outgoing: ServerResponse) => {
  const signal = (outgoing as WithSignal)[SIGNAL]
  if (signal && !outgoing.writableFinished) {
    signal.abort(new DOMException('The client closed the connection.', 'AbortError'))
  }
}
