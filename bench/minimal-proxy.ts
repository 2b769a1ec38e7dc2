// The yardstick: node:http in front of one undici Pool, bodies streamed both ways, every request
// forwarded as is to one upstream. Run: UPSTREAM=http://127.0.0.1:N PORT=M tsx bench/minimal-proxy.ts
// With BUFFER=1 it reads each request body whole before sending it, as a proxy that may retry on
// another key must (and as one that reads the model from the body does): the floor for large bodies.
import { createServer } from 'node:http'
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http'
import { pipeline } from 'node:stream'
import { Pool } from 'undici'

const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade'])
const upstream = new Pool(process.env.UPSTREAM ?? 'http://127.0.0.1:8081', { bodyTimeout: 0 })

const strip = (headers: IncomingHttpHeaders, drop?: string) => {
  const out: IncomingHttpHeaders = {}
  for (const name in headers) if (!HOP.has(name) && name !== drop) out[name] = headers[name]
  return out
}

const BUFFER = process.env.BUFFER === '1'

const readAll = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)))
    req.on('error', reject)
  })

const server = createServer(async (req, res) => {
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD'
  const request = {
    method: req.method ?? 'GET',
    path: req.url ?? '/',
    headers: strip(req.headers, 'host'),
    body: hasBody ? (BUFFER ? await readAll(req) : req) : null,
  }
  upstream.request(request, (err, up) => {
    if (err) {
      res.writeHead(502, { 'content-type': 'text/plain' })
      return void res.end('bad gateway')
    }
    res.writeHead(up.statusCode, strip(up.headers))
    pipeline(up.body, res, () => {})
  })
})

server.listen(Number(process.env.PORT ?? 8080), process.env.HOST ?? '127.0.0.1')
process.on('SIGTERM', () => process.exit(0))
