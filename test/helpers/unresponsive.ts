// Upstreams that never answer, for timer tests: `silent` accepts and reads the request but never
// answers (the headers timeout); `stuck` never completes a connect: a listener in a stopped
// process, its accept queue filled, so the kernel drops further handshakes (the connect timeout).
import { spawn } from 'node:child_process'
import { createServer } from 'node:http'
import { connect, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { within } from './wait'

export interface Unresponsive {
  url: string
  close: () => Promise<void>
}

export const startSilent = async (): Promise<Unresponsive> => {
  const server = createServer(() => {})
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections()
      await new Promise((ok) => server.close(ok))
    },
  }
}

export const startStuck = async (): Promise<Unresponsive> => {
  const fillers: Socket[] = []
  /** Opens a socket; true when it connected within `ms`. */
  const tryConnect = (port: number, ms: number) =>
    new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1')
      fillers.push(s)
      s.on('error', () => resolve(false))
      s.on('connect', () => resolve(true))
      setTimeout(() => resolve(false), ms)
    })
  const stuck = spawn(
    process.execPath,
    [
      '-e',
      "const s=require('net').createServer();s.listen({port:0,host:'127.0.0.1',backlog:1},()=>console.log(s.address().port))",
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const close = async () => {
    for (const s of fillers) s.destroy()
    stuck.kill('SIGKILL')
  }
  const port = await within(
    new Promise<number>((ok) => stuck.stdout!.once('data', (d) => ok(Number(String(d))))),
    10_000,
    'stuck listener',
  )
  stuck.kill('SIGSTOP')
  // Fill the accept queue until a handshake is no longer answered.
  let filled = false
  for (let i = 0; i < 64 && !filled; i++) filled = !(await tryConnect(port, 300))
  if (!filled) {
    await close()
    throw new Error('could not fill the stuck listener accept queue')
  }
  return { url: `http://127.0.0.1:${port}`, close }
}
