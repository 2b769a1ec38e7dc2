// The scale benchmark's fake upstream, as its own process:
//   tsx bench/scale-upstream.ts --port N --delay-ms 20
// Answers any POST with an OpenAI chat completion. Paths under /slow wait --delay-ms first and
// count how many are in flight at once, so the validation concurrency the gateway really reaches
// can be read back: GET /__stats gives {requests, maxInFlight}, POST /__reset zeroes them.
import { createServer } from 'node:http'
import { parseArgs } from 'node:util'
import { openaiChat } from '../test/helpers/fake-wire'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'delay-ms': { type: 'string', default: '20' },
  },
})
const delayMs = Number(values['delay-ms'])
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

let inFlight = 0
let maxInFlight = 0
let requests = 0

const send = (res: import('node:http').ServerResponse, status: number, body: string) => {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length })
  res.end(body)
}

const server = createServer(async (req, res) => {
  // Drain the body: the reply does not depend on it.
  for await (const _ of req);
  if (req.url === '/__stats') return send(res, 200, JSON.stringify({ requests, maxInFlight }))
  if (req.url === '/__reset') {
    requests = maxInFlight = 0
    return send(res, 200, '{}')
  }
  const slow = req.url?.startsWith('/slow/') === true
  if (slow) {
    requests++
    maxInFlight = Math.max(maxInFlight, ++inFlight)
    await sleep(delayMs)
    inFlight--
  }
  const reply = openaiChat('gpt-4o-mini', false, 5, 64)
  send(res, 200, reply.body as string)
})
server.keepAliveTimeout = 30_000
server.listen(Number(values.port), '127.0.0.1', () => {
  const { port } = server.address() as import('node:net').AddressInfo
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`)
})
process.on('SIGTERM', () => {
  server.closeAllConnections()
  server.close(() => process.exit(0))
})
